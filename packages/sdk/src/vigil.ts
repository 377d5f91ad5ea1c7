import { collectDefaultMetrics, Registry } from 'prom-client';
import { HttpMetrics, DEFAULT_DURATION_BUCKETS } from './metrics/http-metrics.ts';
import { BoundedLabel } from './metrics/bounded-label.ts';

export interface VigilOptions {
  /** Service name, added as the `service` label to every metric. */
  service: string;
  /** Use this registry instead of a new one. */
  registry?: Registry;
  /** Collect prom-client's process and Node.js runtime metrics (default true). */
  defaultMetrics?: boolean;
  /** Request duration histogram buckets, seconds. */
  durationBuckets?: number[];
  /** Most distinct `route` values recorded; more collapse into `__overflow__` (default 200). */
  maxRoutes?: number;
}

/** The handle `vigil()` returns: the registry and the metric families the adapters record into. */
export interface Vigil {
  readonly service: string;
  readonly registry: Registry;
  readonly http: HttpMetrics;
  readonly routeLabel: BoundedLabel;
  /** Renders the registry in the format the Accept header asks for; returns body and content type. */
  render(accept?: string): Promise<{ body: string; contentType: string }>;
}

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** Sets up metrics for a service. Every call has its own registry unless one is passed in. */
export function vigil(opts: VigilOptions): Vigil {
  const registry = opts.registry ?? new Registry();
  registry.setDefaultLabels({ service: opts.service });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const http = new HttpMetrics(registry, opts.durationBuckets ?? DEFAULT_DURATION_BUCKETS);
  return {
    service: opts.service,
    registry,
    http,
    routeLabel: new BoundedLabel(opts.maxRoutes ?? 200),
    async render(accept = '') {
      const om = accept.includes('application/openmetrics-text');
      registry.setContentType((om ? OPENMETRICS : TEXT) as never);
      return { body: await registry.metrics(), contentType: om ? OPENMETRICS : TEXT };
    },
  };
}
