import type { Registry } from 'prom-client';
import type { StatsD } from 'hot-shots';
import { DeltaTracker, snapshot } from './snapshot.ts';

/** Options of {@link startStatsdExporter}. */
export interface StatsdExporterOptions {
  /** Export every this many milliseconds (default 10000); 0 exports only on `flush()`. */
  intervalMs?: number;
  /** Called with export errors. */
  onError?: (err: Error) => void;
}

/** A running exporter. */
export interface StatsdExporter {
  /** Sends the current values now. */
  flush(): Promise<void>;
  /** Stops the interval after a last flush (does not close the client). */
  stop(): Promise<void>;
}

/**
 * Sends a registry to StatsD / DogStatsD through a `hot-shots` client you
 * configure (host, port, prefix, `mock`…): counters as increments of the
 * delta since the last export, gauges as gauges, histograms as their `_sum`
 * and `_count` increments. Labels become DogStatsD tags (`route:/users/:id`).
 */
export function startStatsdExporter(registry: Registry, client: StatsD, opts: StatsdExporterOptions = {}): StatsdExporter {
  const deltas = new DeltaTracker();
  const flush = async () => {
    for (const s of await snapshot(registry)) {
      const tags = Object.entries(s.labels).map(([k, v]) => `${k}:${v}`);
      if (s.type === 'gauge') client.gauge(s.name, s.value, tags);
      else {
        const d = deltas.delta(s);
        if (d > 0) client.increment(s.name, d, tags);
      }
    }
  };
  const interval = opts.intervalMs ?? 10_000;
  const timer = interval > 0 ? setInterval(() => flush().catch((e: Error) => opts.onError?.(e)), interval) : undefined;
  timer?.unref();
  return {
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
