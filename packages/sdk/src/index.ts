export type { VigilOptions, Vigil } from './vigil.ts';
export { vigil } from './vigil.ts';

export type { HttpMetricsOptions, FinishedRequest } from './metrics/http-metrics.ts';
export { HttpMetrics, RouteSeries, DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, UNMATCHED_ROUTE } from './metrics/http-metrics.ts';
export { BoundedLabel } from './metrics/bounded-label.ts';
export { AppMetrics, DEFAULT_QUERY_BUCKETS } from './metrics/app-metrics.ts';
export type { RenderOptions } from './metrics/render.ts';
export { renderRegistry, renderRegistryBuffer, wantsOpenMetrics, PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from './metrics/render.ts';
export { trackRegistry } from './metrics/series-keys.ts';
export type { Rendered } from './metrics/handler.ts';
export { metricsHandler, renderFor } from './metrics/handler.ts';

export type { FastifyInstrumentOptions } from './http/fastify/plugin.ts';
export { instrumentFastify } from './http/fastify/plugin.ts';
export type { ExpressInstrumentOptions } from './http/express/middleware.ts';
export { expressMiddleware, expressErrorHandler, instrumentExpress } from './http/express/middleware.ts';
export type { NodeInstrumentOptions, RouteResolver } from './http/node/instrument.ts';
export { instrumentNodeServer, OWN_PATHS } from './http/node/instrument.ts';
export type { WithVigilOptions } from './http/node/with-vigil.ts';
export { withVigil } from './http/node/with-vigil.ts';
export { serveOwnEndpoint } from './http/node/endpoints.ts';
export { templateFromPath } from './http/node/route.ts';

export type { HealthStatus, CheckOutcome, HealthCheck, CheckResult, HealthReport } from './health/types.ts';
export type { HealthOptions } from './health/health.ts';
export { Health, httpStatusFor } from './health/health.ts';
export type { HealthHandlers } from './health/handlers.ts';
export { healthHandlers, HEALTH_CONTENT_TYPE } from './health/handlers.ts';
export type { PgQueryable, DependencyCheckOptions } from './health/checks/postgres.ts';
export { postgresCheck } from './health/checks/postgres.ts';
export type { RedisPingable } from './health/checks/redis.ts';
export { redisCheck } from './health/checks/redis.ts';
export { httpCheck } from './health/checks/http.ts';
export type { EventLoopCheckOptions } from './health/checks/event-loop.ts';
export { eventLoopCheck } from './health/checks/event-loop.ts';
export type { MemoryCheckOptions } from './health/checks/memory.ts';
export { memoryCheck } from './health/checks/memory.ts';
export type { DiskCheckOptions } from './health/checks/disk.ts';
export { diskCheck } from './health/checks/disk.ts';

export type { ShutdownOptions, ShutdownHook } from './shutdown/shutdown.ts';
export { Shutdown } from './shutdown/shutdown.ts';

export type { RequestContext } from './logging/context.ts';
export { ContextStore } from './logging/context.ts';
export type { LoggerOptions } from './logging/logger.ts';
export { createLogger, flushLogger, DEFAULT_REDACT } from './logging/logger.ts';

export type { ErrorType, ErrorSeverity, ErrorEvent, ErrorSink } from './errors/capture.ts';
export { ErrorCapture } from './errors/capture.ts';
export { fingerprint } from './errors/fingerprint.ts';

export type { PushSample } from './push/snapshot.ts';
export type { PushgatewayOptions, Pusher } from './push/pushgateway.ts';
export { startPushgateway } from './push/pushgateway.ts';
export type { StatsdExporterOptions, StatsdExporter } from './push/statsd.ts';
export { startStatsdExporter } from './push/statsd.ts';
export type { EmfOptions } from './push/emf.ts';
export { EmfExporter } from './push/emf.ts';

export { serveClusterWorker, clusterMetricsHandler, clusterMetricsCollector } from './metrics/cluster.ts';
export { aggregateFamilies } from './metrics/cluster-aggregate.ts';
export type { AggregateOptions } from './metrics/cluster-aggregate.ts';
export type { ClusterMetricsOptions } from './metrics/cluster.ts';
export { metricsAsJSONParts } from './metrics/metric-json.ts';
export type { MetricJSON, SampleJSON, JSONPartsOptions } from './metrics/metric-json.ts';
export { instrumentAllServers } from './http/node/diagnostics.ts';
export type { HonoLikeContext } from './http/hono/middleware.ts';
export { honoMiddleware } from './http/hono/middleware.ts';
export type { KoaLikeContext } from './http/koa/middleware.ts';
export { koaMiddleware } from './http/koa/middleware.ts';
export type { TrpcMiddlewareOptions } from './http/trpc/trpc.ts';
export { trpcMetrics, trpcHealth } from './http/trpc/trpc.ts';
