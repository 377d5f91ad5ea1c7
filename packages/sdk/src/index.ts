export type { VigilOptions, Vigil } from './vigil.ts';
export { vigil } from './vigil.ts';
export { instrumentFastify } from './http/fastify.ts';
export { HttpMetrics, DEFAULT_DURATION_BUCKETS } from './metrics/http-metrics.ts';
export { BoundedLabel } from './metrics/bounded-label.ts';
