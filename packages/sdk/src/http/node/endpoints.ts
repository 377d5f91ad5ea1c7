import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Vigil } from '../../vigil.ts';
import { pathOf } from './instrument.ts';

/**
 * Serves the SDK's endpoints (`/metrics`, `/livez`, `/readyz`, `/healthz`)
 * if `req` asks for one; returns false otherwise so the caller handles it.
 */
export function serveOwnEndpoint(obs: Vigil, req: IncomingMessage, res: ServerResponse, path = pathOf(req.url)): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  switch (path) {
    case '/metrics':
      obs.metricsHandler(req, res);
      return true;
    case '/livez':
      obs.healthHandlers.livez(req, res);
      return true;
    case '/readyz':
      obs.healthHandlers.readyz(req, res);
      return true;
    case '/healthz':
      obs.healthHandlers.healthz(req, res);
      return true;
    default:
      return false;
  }
}
