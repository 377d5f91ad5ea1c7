import type { IncomingMessage } from 'node:http';

/** Request body size from Content-Length, or undefined when not declared (or not a byte count). */
export function requestBytes(req: IncomingMessage): number | undefined {
  const n = byteCount(req.headers['content-length']);
  return n < 0 ? undefined : n;
}

/**
 * A Content-Length header value as a byte count, -1 when absent or not a
 * number (the form `HttpMetrics.end` takes). A string of digits, what
 * frameworks set, is read digit by digit: `Number()` on a string calls a
 * builtin, more code to fetch per request (see docs/sdk-overhead.md, "Code
 * that runs once per request").
 */
export function byteCount(v: string | number | string[] | undefined): number {
  if (typeof v === 'string') {
    const len = v.length;
    if (len > 0 && len < 16) {
      let n = 0;
      for (let i = 0; i < len; i++) {
        const d = v.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return numberOrNone(v);
        n = n * 10 + d;
      }
      return n;
    }
    return numberOrNone(v);
  }
  if (v === undefined) return -1;
  if (typeof v === 'number') return v >= 0 ? v : -1;
  return numberOrNone(v);
}

function numberOrNone(v: string | string[]): number {
  const n = Number(v);
  return n >= 0 ? n : -1;
}
