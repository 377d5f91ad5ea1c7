import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Default request-duration buckets (seconds): web latencies from 5 ms to 10 s. */
export const DEFAULT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The RED metrics every HTTP adapter records, named as the field names them. */
export class HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;
  readonly inFlight: Gauge<'method'>;

  constructor(registry: Registry, buckets: number[] = DEFAULT_DURATION_BUCKETS) {
    const registers = [registry];
    this.requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests handled, by method, route template and status code.', labelNames: ['method', 'route', 'status'], registers });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets,
      registers,
    });
    this.inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being handled now.', labelNames: ['method'], registers });
  }
}
