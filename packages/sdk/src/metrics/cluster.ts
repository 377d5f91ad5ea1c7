import type { IncomingMessage, ServerResponse } from 'node:http';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { PROMETHEUS_CONTENT_TYPE } from './render.ts';

/**
 * In a `cluster` worker: answers the primary's metric requests with this
 * worker's registry. prom-client keeps the list of registries per process,
 * which in a worker is exactly one service's.
 */
export function serveClusterWorker(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing it installs the worker's message listener (idempotent).
  new AggregatorRegistry();
}

/**
 * In the `cluster` primary: a `/metrics` handler that asks every worker for
 * its metrics and serves them aggregated (counters and histograms summed,
 * gauges by each metric's aggregator), so one scrape sees the whole service
 * however many workers it runs. Workers must call {@link serveClusterWorker}.
 */
export function clusterMetricsHandler(): (req: IncomingMessage, res: ServerResponse) => void {
  const agg = new AggregatorRegistry();
  return (_req, res) => {
    agg.clusterMetrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
        res.end(body);
      },
      (err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`cluster metrics: ${err.message}\n`);
      },
    );
  };
}
