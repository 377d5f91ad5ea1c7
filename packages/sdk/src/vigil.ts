import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { trackRegistry } from './metrics/series-keys.ts';
import { ErrorCapture } from './errors/capture.ts';
import { eventLoopCheck } from './health/checks/event-loop.ts';
import { memoryCheck } from './health/checks/memory.ts';
import { healthHandlers, type HealthHandlers } from './health/handlers.ts';
import { Health } from './health/health.ts';
import type { HealthCheck } from './health/types.ts';
import { asyncContextFrameActive, ContextStore } from './logging/context.ts';
import { createLogger, type LoggerOptions } from './logging/logger.ts';
import { AppMetrics } from './metrics/app-metrics.ts';
import { metricsHandler, renderFor, type Rendered } from './metrics/handler.ts';
import { HttpMetrics } from './metrics/http-metrics.ts';
import { holdTickObjectShape } from './runtime/tick-maps.ts';
import { Shutdown, type ShutdownOptions } from './shutdown/shutdown.ts';

/** Options of {@link vigil}; only `service` is required. */
export interface VigilOptions {
  /** Service name: the `service` label on every metric and the `service` field of every log line. */
  service: string;
  /** Service version, logged and reported by `/healthz`. */
  version?: string;
  /** Register on this registry instead of a new one (e.g. prom-client's global `register`). */
  registry?: Registry;
  /** Collect prom-client's process and Node.js runtime metrics (default true). */
  defaultMetrics?: boolean;
  /** Extra labels on every metric (besides `service`). */
  labels?: Record<string, string>;
  /** Request duration histogram buckets in seconds. */
  durationBuckets?: number[];
  /** Record request/response size histograms (default true). */
  sizeMetrics?: boolean;
  /** Most distinct `route` values; later ones are recorded as `__overflow__` (default 200). */
  maxRoutes?: number;
  /** A pino logger to use, or options for the SDK's own. */
  logger?: Logger | Omit<LoggerOptions, 'service' | 'version'>;
  /**
   * Give each request an AsyncLocalStorage context (request/trace ids in log
   * lines, `obs.context.get()`, the `x-request-id` response header).
   * Default `'auto'`: on where Node carries AsyncLocalStorage in V8's
   * continuation data (AsyncContextFrame: Node 24 and later, Node 22 with
   * `--experimental-async-context-frame`), off on older runtimes, where an
   * active AsyncLocalStorage turns on async hooks for every promise in the
   * process (about a fifth of a Fastify hello-world's CPU per request on
   * Node 20; see docs/sdk.md). `true` turns it on anyway.
   */
  requestContext?: boolean | 'auto';
  /** Requests slower than this (ms) are logged at warn (default 2000; 0 disables). */
  slowRequestMs?: number;
  /** Health checks to run besides the built-in event-loop and memory checks. */
  checks?: HealthCheck[];
  /** Background health-check interval in milliseconds (default 10000). */
  healthIntervalMs?: number;
  /** Graceful-shutdown settings. */
  shutdown?: ShutdownOptions;
}

/** The handle {@link vigil} returns. Everything hangs off it; nothing is global. */
export interface Vigil {
  readonly service: string;
  /** The registry every SDK metric is registered on. */
  readonly registry: Registry;
  /** HTTP RED metrics, recorded by the framework adapters. */
  readonly http: HttpMetrics;
  /** DB, cache, external call, queue and AI usage helpers. */
  readonly metrics: AppMetrics;
  /** The service's logger; lines carry the current request's ids. */
  readonly logger: Logger;
  /** Request-scoped context (request, trace, tenant and user ids). */
  readonly context: ContextStore;
  /** Whether adapters create a request context ({@link VigilOptions.requestContext}). */
  readonly requestContext: boolean;
  /** Health checks with cached results. */
  readonly health: Health;
  /** `/livez`, `/readyz`, `/healthz` as node:http handlers. */
  readonly healthHandlers: HealthHandlers;
  /** Graceful shutdown: add servers and hooks, or run it. */
  readonly shutdown: Shutdown;
  /** Error capture with fingerprints, `errors_total` and sinks. */
  readonly errors: ErrorCapture;
  /** Renders the registry in the format an Accept header asks for, yielding to the event loop while it works. */
  render(accept?: string): Promise<Rendered>;
  /** `node:http`-style handler for `/metrics`. */
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Installs process-wide handlers: SIGTERM/SIGINT run the shutdown,
   * uncaught exceptions are captured as fatal (then shutdown, exit 1),
   * unhandled rejections are captured as errors. Returns a remover.
   */
  installProcessHandlers(): () => void;
  /** Stops background work (health interval, monitors) without exiting. Idempotent. */
  close(): void;
}

function isLogger(v: unknown): v is Logger {
  return typeof v === 'object' && v !== null && typeof (v as Logger).child === 'function' && typeof (v as Logger).info === 'function';
}

/**
 * Sets up observability for one service. Every call creates its own
 * registry (unless one is passed), so two instances in one process, as in
 * tests, never collide. Nothing process-wide happens until
 * {@link Vigil.installProcessHandlers}.
 */
export function vigil(opts: VigilOptions): Vigil {
  // First, before this call's own start-up work schedules ticks: see holdTickObjectShape.
  holdTickObjectShape();
  const registry = opts.registry ?? new Registry();
  // Before any metric is added: see trackRegistry.
  trackRegistry(registry);
  registry.setDefaultLabels({ ...opts.labels, service: opts.service });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const context = new ContextStore();
  const logger = isLogger(opts.logger) ? opts.logger : createLogger({ ...opts.logger, service: opts.service, version: opts.version }, context);
  const http = new HttpMetrics(registry, { durationBuckets: opts.durationBuckets, sizes: opts.sizeMetrics, maxRoutes: opts.maxRoutes });
  const slowMs = opts.slowRequestMs ?? 2000;
  if (slowMs > 0) {
    http.onSlow(slowMs / 1000, (done, seconds) => logger.warn({ method: done.method, route: done.route ?? 'unmatched', status: done.status, durationMs: Math.round(seconds * 1000) }, 'slow request'));
  }
  const loop = eventLoopCheck();
  const health = new Health({ serviceId: opts.service, version: opts.version, intervalMs: opts.healthIntervalMs });
  health.add(loop).add(memoryCheck());
  for (const c of opts.checks ?? []) health.add(c);
  void health.start();
  const shutdown = new Shutdown(health, logger, opts.shutdown);
  const errors = new ErrorCapture(registry, logger, () => context.logFields());
  return {
    service: opts.service,
    registry,
    http,
    metrics: new AppMetrics(registry),
    logger,
    context,
    requestContext: opts.requestContext === undefined || opts.requestContext === 'auto' ? asyncContextFrameActive() : opts.requestContext,
    health,
    healthHandlers: healthHandlers(health),
    shutdown,
    errors,
    render: (accept) => renderFor(registry, accept),
    metricsHandler: metricsHandler(registry),
    installProcessHandlers() {
      const removeSignals = shutdown.listen();
      const onUncaught = (err: Error) => {
        void errors.capture(err, { type: 'uncaught', severity: 'fatal' }).finally(() => void shutdown.run('uncaughtException', 1));
      };
      const onRejection = (reason: unknown) => void errors.capture(reason, { type: 'unhandled_rejection', severity: 'error' });
      process.on('uncaughtException', onUncaught);
      process.on('unhandledRejection', onRejection);
      return () => {
        removeSignals();
        process.off('uncaughtException', onUncaught);
        process.off('unhandledRejection', onRejection);
      };
    },
    close() {
      health.stop();
      loop.stop();
    },
  };
}
