import type { Vigil } from '../../vigil.ts';
import { OWN_PATHS } from '../node/instrument.ts';
import { PathSet } from '../node/path-set.ts';

/** The parts of a Hono context the middleware reads (Hono 4). */
export interface HonoLikeContext {
  req: { method: string; path: string; routePath: string; header(name: string): string | undefined };
  res: { status: number; headers: Headers };
  error?: unknown;
  header(name: string, value: string): void;
}

/**
 * Hono middleware; `app.use(honoMiddleware(obs))` first. Records HTTP
 * metrics with the matched route template: after `next()` Hono's
 * `c.req.routePath` is the path of the last handler that ran, i.e. the route
 * (`/users/:id`), or the middleware's own `*`/`/*` when nothing matched,
 * which is recorded as `unmatched`. Errors Hono caught (`c.error`) are captured.
 */
export function honoMiddleware(obs: Vigil) {
  const ignore = new PathSet(OWN_PATHS);
  return async function vigilHono(c: HonoLikeContext, next: () => Promise<void>): Promise<void> {
    if (ignore.has(c.req.path)) return next();
    const end = obs.http.start();
    const run = async () => {
      try {
        await next();
      } finally {
        const rp = c.req.routePath;
        const route = rp === '*' || rp === '/*' ? undefined : rp;
        if (c.error !== undefined) void obs.errors.capture(c.error, { type: 'route', context: { method: c.req.method, route: route ?? 'unmatched' } });
        const len = c.res.headers.get('content-length');
        const reqLen = c.req.header('content-length');
        end({ method: c.req.method, route, status: c.res.status, requestBytes: reqLen === undefined ? undefined : Number(reqLen), responseBytes: len === null ? undefined : Number(len) });
      }
    };
    if (!obs.requestContext) return run();
    const ctx = obs.context.fromHeaders({ 'x-request-id': c.req.header('x-request-id'), traceparent: c.req.header('traceparent'), 'x-tenant-id': c.req.header('x-tenant-id'), 'x-user-id': c.req.header('x-user-id') });
    c.header('x-request-id', ctx.requestId);
    return obs.context.run(ctx, run);
  };
}
