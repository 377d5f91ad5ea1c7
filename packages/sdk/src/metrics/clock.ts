const hrtime = process.hrtime;

/**
 * Milliseconds on a monotonic clock, for request durations (only
 * differences mean anything). Read through `process.hrtime()`, whose array
 * the optimising compiler removes once this is inlined: `performance.now()`
 * first checks its receiver with `Object.prototype.hasOwnProperty` (Node
 * 20), one builtin call per read. Under callgrind's cache simulation
 * (Fastify hello-world, 5 Dec 2026) the change took about 40 of the SDK's
 * ~200 added first-level instruction-cache misses per request away
 * (docs/sdk-overhead.md, "Code that runs once per request").
 */
export function monotonicMs(): number {
  const t = hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}
