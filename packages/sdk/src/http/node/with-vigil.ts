import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Vigil } from '../../vigil.ts';
import { serveOwnEndpoint } from './endpoints.ts';
import { ExchangeObserver } from './exchanges.ts';
import type { RouteResolver } from './instrument.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Options of {@link withVigil}. */
export interface WithVigilOptions {
  /** Route template for a request (default: every request is `unmatched`). */
  route?: RouteResolver;
  /** Serve `/metrics`, `/livez`, `/readyz`, `/healthz` before the handler (default true). */
  endpoints?: boolean;
}

/**
 * Wraps a `node:http` request handler: serves the SDK's endpoints, runs the
 * handler inside the request's logging context (where `obs.requestContext`
 * is on; it then also echoes `x-request-id`), records HTTP metrics, and
 * captures errors the handler throws or rejects with (answering 500 if
 * nothing was sent yet).
 */
export function withVigil(obs: Vigil, handler: Handler, opts: WithVigilOptions = {}): Handler {
  const resolve = opts.route ?? (() => undefined);
  const exchanges = new ExchangeObserver(obs.http, resolve);
  const endpoints = opts.endpoints ?? true;
  const withContext = obs.requestContext;
  return (req, res) => {
    if (endpoints && serveOwnEndpoint(obs, req, res)) return;
    exchanges.observe(req, res);
    const fail = (err: unknown) => {
      void obs.errors.capture(err, { type: 'route', context: { method: req.method, route: resolve(req) ?? 'unmatched' } });
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal server error\n');
      }
    };
    const call = () => {
      try {
        const r = handler(req, res);
        if (r instanceof Promise) r.catch(fail);
      } catch (err) {
        fail(err);
      }
    };
    if (!withContext) return call();
    const ctx = obs.context.fromHeaders(req.headers);
    res.setHeader('x-request-id', ctx.requestId);
    obs.context.run(ctx, call);
  };
}
