import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Vigil } from '../../vigil.ts';
import { ExchangeObserver } from './exchanges.ts';
import { OWN_PATHS, pathOf, type RouteResolver } from './instrument.ts';
import { PathSet } from './path-set.ts';
import { templateFromPath } from './route.ts';

interface StartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/**
 * Records every `node:http` server in the process through Node's
 * diagnostics channels (`http.server.request.start`, and the end as
 * {@link ExchangeObserver} sees it), with no change to application code: what
 * the `--import @vigil/sdk/register` form uses. Each server seen is also
 * added to the shutdown drain. Routes come from `opts.route` (default: the
 * raw path templated by {@link templateFromPath}, still capped); servers in
 * `opts.skip` are ignored. Each request gets a logging context where
 * `obs.requestContext` is on.
 *
 * Returns a function that unsubscribes.
 */
export function instrumentAllServers(obs: Vigil, opts: { route?: RouteResolver; skip?: Server[] } = {}): () => void {
  const route = opts.route ?? ((req: IncomingMessage) => templateFromPath(req.url ?? '/'));
  const skip = new Set(opts.skip ?? []);
  const exchanges = new ExchangeObserver(obs.http, route);
  const servers = new WeakSet<Server>();
  const ignore = new PathSet(OWN_PATHS);
  const onStart = (msg: unknown) => {
    const { request, response, server } = msg as StartMessage;
    if (skip.has(server)) return;
    if (!servers.has(server)) {
      servers.add(server);
      obs.shutdown.addServer(server);
    }
    if (ignore.has(pathOf(request.url))) return;
    exchanges.observe(request, response);
    // As the framework adapters: only where obs.requestContext is on (on
    // Node 20, an active AsyncLocalStorage enables async hooks for every
    // promise and async resource in the process).
    if (obs.requestContext) obs.context.enterWith(obs.context.fromHeaders(request.headers));
  };
  subscribe('http.server.request.start', onStart);
  // Requests already started still end (and leave the in-flight gauge).
  return () => unsubscribe('http.server.request.start', onStart);
}
