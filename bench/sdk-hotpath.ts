// bench/sdk-hotpath: the cost of recording one finished HTTP request, in
// nanoseconds, without a server around it (so neighbours' load on a shared
// machine matters far less than in sdk-overhead): @vigil/sdk's HttpMetrics
// vs the prom-client pattern the alternatives use (counter.inc and
// histogram.observe with a label object per request).
// Bounded: 2M iterations per case, 3 runs each. Run: npx tsx bench/sdk-hotpath.ts
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HttpMetrics } from '@vigil/sdk';

const N = 2_000_000;
const routes = ['/users/:id', '/orders', '/orders/:id', '/health', '/products/:sku'];
const statuses = [200, 200, 200, 404, 500];

function run(name: string, record: (i: number) => void): void {
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) record(i);
    times.push(Number(process.hrtime.bigint() - t0) / N);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(52)} ${times[1]!.toFixed(0).padStart(5)} ns/request (median of 3 x ${N / 1e6}M)`);
}

console.log('recording one finished request (method, route, status, duration):');
{
  const http = new HttpMetrics(new Registry(), { sizes: false });
  run('@vigil/sdk HttpMetrics.begin/finish', (i) => {
    const t0 = http.begin();
    http.finish(t0, { method: 'GET', route: routes[i % 5], status: statuses[i % 5]! });
  });
}
{
  // What the Fastify and Express adapters do: the route's series is looked up
  // by its template (the router's own string), the rest passed as numbers.
  const http = new HttpMetrics(new Registry());
  run('@vigil/sdk HttpMetrics.begin/route/end, with size histograms', (i) => {
    const t0 = http.begin();
    http.end(t0, http.route(routes[i % 5]), 'GET', statuses[i % 5]!, -1, 512);
  });
}
{
  const http = new HttpMetrics(new Registry());
  run('@vigil/sdk HttpMetrics.begin/finish, with size histograms', (i) => {
    const t0 = http.begin();
    http.finish(t0, { method: 'GET', route: routes[i % 5], status: statuses[i % 5]!, responseBytes: 512 });
  });
}
{
  const registers = [new Registry()];
  const c = new Counter({ name: 'http_requests_total', help: 'h', labelNames: ['method', 'route', 'status'], registers });
  const h = new Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['method', 'route', 'status'], registers });
  const g = new Gauge({ name: 'http_requests_in_flight', help: 'h', registers });
  run('prom-client inc/observe with label objects', (i) => {
    g.inc();
    const t0 = performance.now();
    const labels = { method: 'GET', route: routes[i % 5]!, status: String(statuses[i % 5]) };
    g.dec();
    c.inc(labels);
    h.observe(labels, (performance.now() - t0) / 1000);
  });
}
