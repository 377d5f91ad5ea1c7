import type { Vigil } from '../../vigil.ts';
import type { HealthReport, HealthStatus } from '../../health/types.ts';

/** What tRPC passes a middleware (the fields used here; tRPC 10 and 11). */
export interface TrpcMiddlewareOptions<R> {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  next: () => Promise<R>;
}

/**
 * A tRPC middleware recording each procedure call as an HTTP-style request:
 * `route` is `trpc:<procedure path>` (a fixed set, so bounded), `method` the
 * procedure type, `status` 200 or 500. Use with `t.middleware(trpcMetrics(obs))`
 * or `t.procedure.use(trpcMetrics(obs))`.
 */
export function trpcMetrics(obs: Vigil) {
  return async <R extends { ok: boolean; error?: unknown }>(opts: TrpcMiddlewareOptions<R>): Promise<R> => {
    const t0 = performance.now();
    const result = await opts.next();
    obs.http.record({ method: opts.type === 'mutation' ? 'POST' : 'GET', route: `trpc:${opts.path}`, status: result.ok ? 200 : 500 }, (performance.now() - t0) / 1000);
    if (!result.ok && result.error !== undefined) void obs.errors.capture(result.error, { type: 'route', context: { route: `trpc:${opts.path}` } });
    return result;
  };
}

/**
 * Resolvers for health as tRPC procedures (`health.liveness`,
 * `health.readiness`, `health.check`, as seed services expose them):
 * `router({ liveness: publicProcedure.query(h.liveness), ... })`.
 * Readiness and check throw when the service is failing, so tRPC answers an
 * error status instead of 200.
 */
export function trpcHealth(obs: Vigil): { liveness(): { status: HealthStatus }; readiness(): { status: HealthStatus }; check(): HealthReport } {
  const failing = (status: HealthStatus, body: unknown) => Object.assign(new Error(`service is ${status}`), { code: 'SERVICE_UNAVAILABLE', cause: body });
  return {
    liveness: () => ({ status: 'pass' }),
    readiness: () => {
      const status = obs.health.status();
      if (status === 'fail') throw failing(status, { status });
      return { status };
    },
    check: () => {
      const report = obs.health.report();
      if (report.status === 'fail') throw failing(report.status, report);
      return report;
    },
  };
}
