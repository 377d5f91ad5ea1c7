/** FNV-1a 64-bit of a string's UTF-8 bytes, as Go's `hash/fnv.New64a`. */
export function fnv64a(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/**
 * The group's evaluation offset within its interval, ms: Prometheus hashes
 * `file;name` (`Group.hash`) so groups spread over the interval but keep
 * the same phase across restarts and across servers.
 */
export function groupOffset(file: string, name: string, intervalMs: number): number {
  const ns = BigInt(Math.round(intervalMs * 1e6));
  if (ns === 0n) return 0;
  return Number(fnv64a(`${file};${name}`) % ns) / 1e6;
}

/**
 * The last aligned evaluation time at or before `now` (ms), Prometheus's
 * `Group.EvalTimestamp`: `base + offset` where base is a multiple of the
 * interval.
 */
export function evalTimestamp(now: number, intervalMs: number, offsetMs: number): number {
  const adj = now - offsetMs;
  const base = adj - (((adj % intervalMs) + intervalMs) % intervalMs);
  return base + offsetMs;
}
