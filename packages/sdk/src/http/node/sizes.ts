import type { IncomingMessage } from 'node:http';

/** Request body size from Content-Length, or undefined when not declared. */
export function requestBytes(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A Content-Length header value as a byte count, -1 when absent or not a
 * number (the form `HttpMetrics.end` takes).
 */
export function byteCount(v: string | number | string[] | undefined): number {
  if (v === undefined) return -1;
  if (typeof v === 'number') return v >= 0 ? v : -1;
  const n = Number(v);
  return n >= 0 ? n : -1;
}
