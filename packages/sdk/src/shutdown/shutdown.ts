import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Health } from '../health/health.ts';
import { flushLogger } from '../logging/logger.ts';

/** Options of {@link Shutdown}. */
export interface ShutdownOptions {
  /** Total budget in milliseconds from the signal to exit (default 10000). */
  timeoutMs?: number;
  /**
   * How long readiness reports 503 while the server still accepts, in
   * milliseconds, so load balancers stop routing first (default 0; about 5000
   * behind a Kubernetes Service).
   */
  readinessDelayMs?: number;
  /** Call `process.exit` when done (default true). */
  exit?: boolean;
}

/** A cleanup step run after the servers have drained (close pools, flush queues). */
export type ShutdownHook = () => void | Promise<void>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Graceful shutdown: readiness turns 503 first, then servers stop accepting
 * and in-flight requests drain up to the deadline, then hooks run in reverse
 * order of registration, then logs are flushed and the process exits
 * (0 if everything finished in time, 1 otherwise).
 *
 * Only the first {@link run} does anything; later calls return the same promise.
 */
export class Shutdown {
  private readonly servers: Server[] = [];
  private readonly hooks: Array<{ name: string; fn: ShutdownHook }> = [];
  private running: Promise<number> | undefined;
  private listeners: Array<[NodeJS.Signals, () => void]> = [];

  constructor(
    private readonly health: Health,
    private readonly logger: Logger,
    private readonly opts: ShutdownOptions = {},
  ) {}

  /** Adds a server to drain on shutdown. */
  addServer(server: Server): this {
    this.servers.push(server);
    return this;
  }

  /** Adds a hook; hooks run last-registered first, like deferred cleanup. */
  onShutdown(name: string, fn: ShutdownHook): this {
    this.hooks.push({ name, fn });
    return this;
  }

  /** Runs {@link run} on each signal (default SIGTERM and SIGINT). Returns a function removing the listeners. */
  listen(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
    for (const sig of signals) {
      const fn = () => void this.run(sig);
      process.on(sig, fn);
      this.listeners.push([sig, fn]);
    }
    return () => {
      for (const [sig, fn] of this.listeners) process.off(sig, fn);
      this.listeners = [];
    };
  }

  /** True once shutdown has begun. */
  get started(): boolean {
    return this.running !== undefined;
  }

  /**
   * Shuts down; resolves with the exit code (and exits, unless `exit: false`).
   * `exitCode` forces a non-zero code, as after a fatal error.
   */
  run(reason = 'shutdown', exitCode = 0): Promise<number> {
    this.running ??= this.sequence(reason, exitCode);
    return this.running;
  }

  private async sequence(reason: string, exitCode: number): Promise<number> {
    const deadline = performance.now() + (this.opts.timeoutMs ?? 10_000);
    const left = () => Math.max(0, deadline - performance.now());
    let code = exitCode;
    this.logger.info({ reason }, 'shutting down: readiness now failing');
    this.health.setDraining();
    if (this.opts.readinessDelayMs) await sleep(Math.min(this.opts.readinessDelayMs, left()));

    const drained = await Promise.all(this.servers.map((s) => drain(s, left())));
    if (drained.includes(false)) {
      code = 1;
      this.logger.warn('drain deadline passed: closing remaining connections');
    } else this.logger.info('in-flight requests drained');

    for (const hook of [...this.hooks].reverse()) {
      try {
        const r = await Promise.race([Promise.resolve(hook.fn()).then(() => true), sleep(left()).then(() => false)]);
        if (!r) {
          code = 1;
          this.logger.warn({ hook: hook.name }, 'shutdown hook passed the deadline');
        }
      } catch (err) {
        code = 1;
        this.logger.error({ err, hook: hook.name }, 'shutdown hook failed');
      }
    }
    this.health.stop();
    this.logger.info({ exitCode: code }, 'shutdown complete');
    await flushLogger(this.logger);
    if (this.opts.exit ?? true) process.exit(code);
    return code;
  }
}

/**
 * Stops `server` accepting and waits for its connections to end, closing
 * keep-alive connections as they go idle; past `ms` the rest are cut.
 * Resolves true if everything finished in time.
 */
function drain(server: Server, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve(true);
    let finished = false;
    // server.close() only closes connections idle right now; a keep-alive
    // connection that finishes its request later would hold close() open.
    const poll = setInterval(() => server.closeIdleConnections(), 25);
    const timer = setTimeout(() => {
      if (finished) return;
      finished = true;
      clearInterval(poll);
      server.closeAllConnections();
      resolve(false);
    }, ms);
    server.close(() => {
      if (finished) return;
      finished = true;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(true);
    });
  });
}
