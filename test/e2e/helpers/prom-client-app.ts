import { createServer } from 'node:http';
// prom-client resolves through the workspace (a dependency of @vigil/sdk and @vigil/server).
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

/**
 * A small prom-client app for differential tests: a fixed set of series
 * (every label combination exists from the start, so two scrapers that start
 * a second apart see the same series) whose values move on a timer. The
 * histogram has a `le="1"` bucket and the summary a `quantile="1"` objective,
 * the values Prometheus 3.x and 2.x store differently.
 */
export async function startPromClientApp(): Promise<{ url: string; metricsUrl: string; close(): Promise<void> }> {
  const registry = new Registry();
  const routes = ['/api/users', '/api/orders', '/healthz'];
  const requests = new Counter({ name: 'app_requests_total', help: 'Requests handled.', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'app_request_duration_seconds',
    help: 'Request latency.',
    labelNames: ['route'],
    buckets: [0.05, 0.1, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const payload = new Summary({ name: 'app_payload_bytes', help: 'Payload sizes.', percentiles: [0.5, 0.9, 1], registers: [registry] });
  const inflight = new Gauge({ name: 'app_inflight_requests', help: 'Requests in flight.', registers: [registry] });
  for (const route of routes) {
    for (const status of ['200', '500']) requests.inc({ method: 'GET', route, status }, 0);
    duration.zero({ route });
  }
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    for (const [i, route] of routes.entries()) {
      requests.inc({ method: 'GET', route, status: tick % 7 === i ? '500' : '200' }, 1 + i);
      duration.observe({ route }, ((tick * (i + 1)) % 30) / 10);
    }
    payload.observe(100 + (tick % 50) * 10);
    inflight.set(tick % 5);
  }, 100);
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    metricsUrl: `${url}/metrics`,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
