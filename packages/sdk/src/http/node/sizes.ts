import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request body size from Content-Length, or undefined when not declared. */
export function requestBytes(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Response body size from the Content-Length header the response sent, if any. */
export function responseBytes(res: ServerResponse): number | undefined {
  const v = res.getHeader('content-length');
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
