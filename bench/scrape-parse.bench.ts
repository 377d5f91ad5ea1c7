/**
 * Exposition parsing alone: a 2,000-series body (counters, histograms with
 * `le` normalisation, gauges) parsed repeatedly in the text format and in
 * OpenMetrics, cold (every label decoded) and warm (series known to the
 * scrape cache, labels skipped). Prints samples/s and CPU µs per sample.
 *
 *   npx tsx bench/scrape-parse.bench.ts [--rounds=300]
 */
import { parseExposition } from '@vigil/server/model/textparse/index.ts';

function body(openMetrics: boolean): string {
  const lines: string[] = [];
  const routes = Array.from({ length: 40 }, (_, i) => `/api/v1/resource/${i}`);
  let n = 0;
  lines.push('# HELP http_requests_total Requests handled.', '# TYPE http_requests_total counter');
  for (const route of routes) for (const method of ['GET', 'POST']) for (const status of ['200', '404', '500']) {
    lines.push(`http_requests_total{method="${method}",route="${route}",status="${status}"} ${1000 + n++ * 7}`);
  }
  lines.push('# TYPE http_request_duration_seconds histogram');
  for (const route of routes) for (const method of ['GET', 'POST']) {
    for (const le of ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf']) {
      lines.push(`http_request_duration_seconds_bucket{method="${method}",route="${route}",le="${le}"} ${n++}`);
    }
    lines.push(`http_request_duration_seconds_sum{method="${method}",route="${route}"} ${(n++ * 0.37).toFixed(3)}`);
    lines.push(`http_request_duration_seconds_count{method="${method}",route="${route}"} ${n++}`);
  }
  lines.push('# TYPE worker_queue_depth gauge');
  for (let i = 0; n < 2000; i++) lines.push(`worker_queue_depth{queue="q${i}",shard="${n % 16}"} ${n++ % 97}`);
  if (openMetrics) lines.push('# EOF');
  return lines.join('\n') + '\n';
}

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 300);
console.log(`exposition parsing: 2,000 series per body, ${rounds} rounds each`);
console.log('format           mode   samples/s     CPU µs/sample');
for (const om of [false, true]) {
  const text = body(om);
  const known = new Set(parseExposition(text, om).samples.map((s) => s.series));
  for (const warm of [false, true]) {
    const opts = warm ? { isKnownSeries: (s: string) => known.has(s) } : {};
    for (let i = 0; i < 30; i++) parseExposition(text, om, opts); // JIT warm-up
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let samples = 0;
    for (let i = 0; i < rounds; i++) samples += parseExposition(text, om, opts).samples.length;
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const cpuUs = (cpu.user + cpu.system) / samples;
    console.log(`${(om ? 'OpenMetrics 1.0' : 'text 0.0.4').padEnd(16)} ${(warm ? 'warm' : 'cold').padEnd(6)} ${Math.round(samples / secs).toString().padStart(9)}     ${cpuUs.toFixed(3).padStart(8)}`);
  }
}
