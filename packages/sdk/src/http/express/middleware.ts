import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Vigil } from '../../vigil.ts';
import { OWN_PATHS, observeExchange } from '../node/instrument.ts';

/** The parts of an Express request the middleware reads (Express 4 and 5). */
interface ExpressLikeRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: string | RegExp };
  path?: string;
}

/** Options of {@link expressMiddleware}. */
export interface ExpressInstrumentOptions {
  /** Paths not recorded (default: the SDK's own endpoints). */
  ignore?: Iterable<string>;
}

/**
 * Express middleware recording HTTP metrics; mount it first (`app.use(...)`).
 * The route label is the matched route's template joined to its router's
 * mount path (`/api` + `/users/:id`), read when the response finishes;
 * requests that matched no route are `unmatched`.
 */
export function expressMiddleware(obs: Vigil, opts: ExpressInstrumentOptions = {}) {
  const ignore = new Set(opts.ignore ?? OWN_PATHS);
  const http = obs.http;
  return function vigilExpress(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    const r = req as ExpressLikeRequest;
    if (!ignore.has(r.path ?? (req.url ?? '').split('?', 1)[0]!)) {
      observeExchange(http, req, res, () => {
        const path = r.route?.path;
        if (path === undefined) return undefined;
        return (r.baseUrl ?? '') + (typeof path === 'string' ? path : String(path));
      });
    }
    next();
  };
}
