import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Vigil } from '../../vigil.ts';
import { OWN_PATHS, type RouteResolver } from './instrument.ts';
import { requestBytes, responseBytes } from './sizes.ts';
import { templateFromPath } from './route.ts';

interface StartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

interface FinishMessage {
  request: IncomingMessage;
  response: ServerResponse;
}

/**
 * Records every `node:http` server in the process through Node's
 * diagnostics channels (`http.server.request.start` /
 * `http.server.response.finish`), with no change to application code: what
 * the `--import @vigil/sdk/register` form uses. Each server seen is also
 * added to the shutdown drain. Routes come from `opts.route` (default: the
 * raw path templated by {@link templateFromPath}, still capped); servers in
 * `opts.skip` are ignored.
 *
 * Returns a function that unsubscribes.
 */
export function instrumentAllServers(obs: Vigil, opts: { route?: RouteResolver; skip?: Server[] } = {}): () => void {
  const route = opts.route ?? ((req: IncomingMessage) => templateFromPath(req.url ?? '/'));
  const skip = new Set(opts.skip ?? []);
  const ends = new WeakMap<ServerResponse, ReturnType<Vigil['http']['start']>>();
  const servers = new WeakSet<Server>();
  const ignore = new Set(OWN_PATHS);
  const onStart = (msg: unknown) => {
    const { request, response, server } = msg as StartMessage;
    if (skip.has(server)) return;
    if (!servers.has(server)) {
      servers.add(server);
      obs.shutdown.addServer(server);
    }
    if (ignore.has((request.url ?? '/').split('?', 1)[0]!)) return;
    ends.set(response, obs.http.start());
    obs.context.enterWith(obs.context.fromHeaders(request.headers));
  };
  const onFinish = (msg: unknown) => {
    const { request, response } = msg as FinishMessage;
    const end = ends.get(response);
    if (end === undefined) return;
    ends.delete(response);
    end({ method: request.method ?? 'GET', route: route(request), status: response.statusCode, requestBytes: requestBytes(request), responseBytes: responseBytes(response) });
  };
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
  return () => {
    unsubscribe('http.server.request.start', onStart);
    unsubscribe('http.server.response.finish', onFinish);
  };
}
