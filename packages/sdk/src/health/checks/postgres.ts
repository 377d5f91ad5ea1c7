import type { HealthCheck } from '../types.ts';

/** Anything with `pg`'s `query` (a `Pool` or a connected `Client`). */
export interface PgQueryable {
  query(sql: string): Promise<unknown>;
}

/** Options shared by dependency checks. */
export interface DependencyCheckOptions {
  /** Component name (default per check kind). */
  name?: string;
  /** See {@link HealthCheck.critical} (default true). */
  critical?: boolean;
  /** Per-run timeout in milliseconds (default 2000). */
  timeoutMs?: number;
}

/** PostgreSQL reachability: runs `SELECT 1` through a `pg` Pool or Client; observed value is the round trip in ms. */
export function postgresCheck(db: PgQueryable, opts: DependencyCheckOptions = {}): HealthCheck {
  return {
    name: opts.name ?? 'postgres',
    componentType: 'datastore',
    critical: opts.critical,
    timeoutMs: opts.timeoutMs,
    async run() {
      await db.query('SELECT 1');
    },
  };
}
