import type { FastifyInstance } from 'fastify';
import type { ApiV1Deps } from './deps.ts';
import { registerQueryRoutes } from './query.ts';
import { registerSeriesRoutes } from './series.ts';
import { registerStatusRoutes } from './status.ts';
import { registerTsdbRoutes } from './admin.ts';

export type { ApiV1Deps, TsdbApi, BuildInfo, ActiveTargetView, DroppedTargetView, MetricMetadataView } from './deps.ts';
export { sendData, sendError, formValue, formValues, ERROR_STATUS } from './respond.ts';
export type { ErrorType } from './respond.ts';
export { formatValue, queryData } from './format.ts';
export { parseTimeParam, parseDurationParam } from './params.ts';

/** Registers the Prometheus HTTP API v1 read endpoints on a Fastify instance. */
export function registerApiV1(app: FastifyInstance, deps: ApiV1Deps): void {
  registerQueryRoutes(app, deps);
  registerSeriesRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerTsdbRoutes(app, deps);
}
