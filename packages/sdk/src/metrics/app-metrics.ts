import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Buckets for database and external-call latency in seconds (1 ms to 5 s). */
export const DEFAULT_QUERY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Helpers for the application metrics the seeds hand-build in every service:
 * database queries, cache hits and misses, external API calls, queues and AI
 * usage. Each family is registered on first use, so unused helpers add no
 * empty families to `/metrics`.
 *
 * Label values come from code (operation and table names, model ids), not
 * from requests; keep them that way to keep cardinality bounded.
 */
export class AppMetrics {
  private readonly cache = new Map<string, Counter<string> | Histogram<string> | Gauge<string>>();

  constructor(private readonly registry: Registry) {}

  private family<T extends Counter<string> | Histogram<string> | Gauge<string>>(name: string, make: (registers: Registry[]) => T): T {
    let m = this.cache.get(name) as T | undefined;
    if (m === undefined) {
      m = make([this.registry]);
      this.cache.set(name, m);
    }
    return m;
  }

  /** `db_query_duration_seconds{operation,table}` histogram. */
  get dbQueryDuration(): Histogram<'operation' | 'table'> {
    return this.family('db_query_duration_seconds', (registers) => new Histogram({ name: 'db_query_duration_seconds', help: 'Database query latency in seconds, by operation and table.', labelNames: ['operation', 'table'], buckets: DEFAULT_QUERY_BUCKETS, registers }));
  }

  /** `db_query_errors_total{operation,table}` counter. */
  get dbQueryErrors(): Counter<'operation' | 'table'> {
    return this.family('db_query_errors_total', (registers) => new Counter({ name: 'db_query_errors_total', help: 'Database queries that failed, by operation and table.', labelNames: ['operation', 'table'], registers }));
  }

  /**
   * Times `fn` as one database query: observes `db_query_duration_seconds`
   * and counts `db_query_errors_total` if it throws (the error is rethrown).
   */
  async timeQuery<T>(operation: string, table: string, fn: () => Promise<T>): Promise<T> {
    const end = this.dbQueryDuration.startTimer({ operation, table });
    try {
      return await fn();
    } catch (err) {
      this.dbQueryErrors.inc({ operation, table });
      throw err;
    } finally {
      end();
    }
  }

  /** `cache_hits_total{cache}` counter. */
  get cacheHits(): Counter<'cache'> {
    return this.family('cache_hits_total', (registers) => new Counter({ name: 'cache_hits_total', help: 'Cache lookups that found a value, by cache.', labelNames: ['cache'], registers }));
  }

  /** `cache_misses_total{cache}` counter. */
  get cacheMisses(): Counter<'cache'> {
    return this.family('cache_misses_total', (registers) => new Counter({ name: 'cache_misses_total', help: 'Cache lookups that found nothing, by cache.', labelNames: ['cache'], registers }));
  }

  /** Counts one cache lookup as a hit or a miss. */
  cacheLookup(cache: string, hit: boolean): void {
    (hit ? this.cacheHits : this.cacheMisses).inc({ cache });
  }

  /** `external_request_duration_seconds{service,operation,status}` histogram. */
  get externalDuration(): Histogram<'service' | 'operation' | 'status'> {
    return this.family('external_request_duration_seconds', (registers) => new Histogram({ name: 'external_request_duration_seconds', help: 'Calls to external APIs in seconds, by service, operation and outcome.', labelNames: ['service', 'operation', 'status'], buckets: DEFAULT_QUERY_BUCKETS, registers }));
  }

  /** Times a call to an external API; `status` is `ok` or `error`. */
  async timeExternal<T>(service: string, operation: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    let status = 'error';
    try {
      const r = await fn();
      status = 'ok';
      return r;
    } finally {
      this.externalDuration.observe({ service, operation, status }, (performance.now() - t0) / 1000);
    }
  }

  /** `queue_depth{queue}` gauge. */
  get queueDepth(): Gauge<'queue'> {
    return this.family('queue_depth', (registers) => new Gauge({ name: 'queue_depth', help: 'Jobs waiting in a queue.', labelNames: ['queue'], registers }));
  }

  /** `queue_jobs_total{queue,status}` counter (status: completed, failed, …). */
  get queueJobs(): Counter<'queue' | 'status'> {
    return this.family('queue_jobs_total', (registers) => new Counter({ name: 'queue_jobs_total', help: 'Queue jobs finished, by queue and outcome.', labelNames: ['queue', 'status'], registers }));
  }

  /** `ai_tokens_used_total{model,kind}` counter (kind: input, output, embedding…). */
  get aiTokens(): Counter<'model' | 'kind'> {
    return this.family('ai_tokens_used_total', (registers) => new Counter({ name: 'ai_tokens_used_total', help: 'AI model tokens used, by model and kind.', labelNames: ['model', 'kind'], registers }));
  }

  /** `ai_cost_usd_total{model}` counter. */
  get aiCost(): Counter<'model'> {
    return this.family('ai_cost_usd_total', (registers) => new Counter({ name: 'ai_cost_usd_total', help: 'AI model spend in US dollars, by model.', labelNames: ['model'], registers }));
  }

  /** Records one AI call's token usage and cost (USD). */
  aiUsage(model: string, usage: { input?: number; output?: number; costUsd?: number }): void {
    if (usage.input) this.aiTokens.inc({ model, kind: 'input' }, usage.input);
    if (usage.output) this.aiTokens.inc({ model, kind: 'output' }, usage.output);
    if (usage.costUsd) this.aiCost.inc({ model }, usage.costUsd);
  }
}
