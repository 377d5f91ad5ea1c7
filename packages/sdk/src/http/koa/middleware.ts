import type { Vigil } from '../../vigil.ts';
import { OWN_PATHS } from '../node/instrument.ts';
import { PathSet } from '../node/path-set.ts';
import { requestBytes } from '../node/sizes.ts';
import type { IncomingMessage } from 'node:http';

/** The parts of a Koa context the middleware reads (Koa 2/3 with @koa/router). */
export interface KoaLikeContext {
  method: string;
  path: string;
  status: number;
  req: IncomingMessage;
  /** Set by @koa/router to the matched route's template, prefix included. */
  _matchedRoute?: string | RegExp;
  set(field: string, value: string): void;
  length?: number;
}

/**
 * Koa middleware; `app.use(koaMiddleware(obs))` before the router. Records
 * HTTP metrics with @koa/router's matched template (`/users/:id`), runs the
 * rest in the request's logging context, and captures errors thrown
 * downstream (recorded as 500, or their `status`, then rethrown for Koa).
 */
export function koaMiddleware(obs: Vigil) {
  const ignore = new PathSet(OWN_PATHS);
  return async function vigilKoa(ctx: KoaLikeContext, next: () => Promise<unknown>): Promise<void> {
    if (ignore.has(ctx.path)) return void (await next());
    const end = obs.http.start();
    let status: number | undefined;
    const run = async () => {
      try {
        await next();
      } catch (err) {
        const s = (err as { status?: unknown }).status;
        status = typeof s === 'number' ? s : 500;
        if (status >= 500) void obs.errors.capture(err, { type: 'route', context: { method: ctx.method, route: String(ctx._matchedRoute ?? 'unmatched') } });
        throw err;
      } finally {
        const route = ctx._matchedRoute;
        end({ method: ctx.method, route: route === undefined ? undefined : String(route), status: status ?? ctx.status, requestBytes: requestBytes(ctx.req), responseBytes: ctx.length });
      }
    };
    if (!obs.requestContext) return run();
    const c = obs.context.fromHeaders(ctx.req.headers);
    ctx.set('x-request-id', c.requestId);
    return obs.context.run(c, run);
  };
}
