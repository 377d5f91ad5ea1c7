import { Pushgateway, type Registry } from 'prom-client';

/** Options of {@link startPushgateway}. */
export interface PushgatewayOptions {
  /** Pushgateway base URL, e.g. `http://pushgateway:9091`. */
  url: string;
  /** The `job` grouping key. */
  job: string;
  /** Extra grouping labels (e.g. `{ instance: hostname() }`). */
  groupings?: Record<string, string>;
  /** `push` replaces the group's metrics (PUT), `pushAdd` merges by name (POST, default). */
  method?: 'push' | 'pushAdd';
  /** Push every this many milliseconds (default 15000); 0 pushes only when `push()` is called. */
  intervalMs?: number;
  /** Called with push errors (default: ignored; the next push retries). */
  onError?: (err: Error) => void;
}

/** A running pusher: push now, or stop (pushing a last time). */
export interface Pusher {
  push(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Pushes a registry to a Prometheus Pushgateway (prom-client's client) on an
 * interval, for batch jobs and hosts nothing scrapes. `stop()` pushes once
 * more so a job's final values arrive; register it as a shutdown hook.
 */
export function startPushgateway(registry: Registry, opts: PushgatewayOptions): Pusher {
  const gw = new Pushgateway(opts.url, {}, registry);
  const method = opts.method ?? 'pushAdd';
  const push = async () => {
    await gw[method]({ jobName: opts.job, groupings: opts.groupings });
  };
  const interval = opts.intervalMs ?? 15_000;
  const timer = interval > 0 ? setInterval(() => push().catch((e: Error) => opts.onError?.(e)), interval) : undefined;
  timer?.unref();
  return {
    push,
    async stop() {
      clearInterval(timer);
      await push();
    },
  };
}
