import type { HealthCheck } from '../types.ts';
import type { DependencyCheckOptions } from './postgres.ts';

/** An HTTP dependency: GET `url` must answer 2xx within the timeout. */
export function httpCheck(url: string, opts: DependencyCheckOptions = {}): HealthCheck {
  return {
    name: opts.name ?? new URL(url).host,
    componentType: 'http',
    critical: opts.critical,
    timeoutMs: opts.timeoutMs,
    async run(signal) {
      const res = await fetch(url, { signal });
      await res.body?.cancel();
      if (res.status < 200 || res.status > 299) throw new Error(`GET ${url}: status ${res.status}`);
    },
  };
}
