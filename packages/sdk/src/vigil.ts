import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AppMetrics } from './metrics/app-metrics.ts';
import { HttpMetrics } from './metrics/http-metrics.ts';
import { metricsHandler, renderFor, type Rendered } from './metrics/handler.ts';

/** Options of {@link vigil}; only `service` is required. */
export interface VigilOptions {
  /** Service name: the `service` label on every metric. */
  service: string;
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
  /** Renders the registry in the format an Accept header asks for, yielding to the event loop while it works. */
  render(accept?: string): Promise<Rendered>;
  /** `node:http`-style handler for `/metrics`. */
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Sets up observability for one service. Every call creates its own
 * registry (unless one is passed), so two instances in one process, as in
 * tests, never collide.
 */
export function vigil(opts: VigilOptions): Vigil {
  const registry = opts.registry ?? new Registry();
  registry.setDefaultLabels({ ...opts.labels, service: opts.service });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const http = new HttpMetrics(registry, { durationBuckets: opts.durationBuckets, sizes: opts.sizeMetrics, maxRoutes: opts.maxRoutes });
  return {
    service: opts.service,
    registry,
    http,
    metrics: new AppMetrics(registry),
    render: (accept) => renderFor(registry, accept),
    metricsHandler: metricsHandler(registry),
  };
}
