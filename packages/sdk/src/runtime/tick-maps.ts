import { executionAsyncResource } from 'node:async_hooks';

/**
 * One of Node's own `process.nextTick` records, kept for the life of the
 * process (empty until {@link holdTickObjectShape} has run).
 */
let held: object | undefined;
/** Whether {@link holdTickObjectShape} has queued its tick. */
let requested = false;

/**
 * Keeps one `process.nextTick` record (what Node queues per tick: an object
 * literal with two symbol-keyed async ids, the callback and its arguments)
 * alive for the life of the process, so the hidden classes V8 built for
 * that literal are never collected.
 *
 * Why: on Node 20, a Fastify hello-world served each request about 3 µs
 * (some 25%) slower in some processes than in others running the same
 * code. In the slow ones, the stream functions that Node's HTTP server
 * runs per request (`emitReadable`, `endReadable`, `onwrite`, `resume`)
 * had been optimised with the literal's property definitions left as
 * calls into V8's runtime (`DefineKeyedOwnPropertyInLiteral`), which by a
 * CPU profile took about 12% of the process's time. Which processes went
 * slow depended on what ran before they served: one extra `nextTick`
 * during start-up (pino's stdout destination makes one) with
 * `@opentelemetry/api` loaded was enough, and Fastify's own logger with
 * that package loaded did it with no SDK at all. Holding one record from
 * before start-up kept such processes fast in the runs measured
 * (docs/sdk-overhead.md, "Node 20: a slow path in process.nextTick that
 * start-up decides"). The mechanism is inferred, not confirmed inside V8:
 * that start-up records die with the hidden classes they had, so the
 * literal's feedback sees a new generation of classes after each full
 * collection and ends up megamorphic before those stream functions are
 * optimised.
 *
 * Node 22 and 24 have the same slow path (their record has a third
 * symbol-keyed field, the async context frame): a bare Fastify
 * hello-world served 15.6–16.5 µs per request on Node 22.23 and 12.4–12.8
 * on Node 24.22, and 11.9–13.3 and 10.4–10.9 with this call first
 * (docs/sdk-overhead.md, "Node 22 and 24: the same nextTick slow path").
 *
 * How: one `process.nextTick` whose callback takes the record it runs from
 * (`executionAsyncResource()`, which inside a tick callback is the tick's
 * own record). The record is the queue's until then, so it is held from the
 * moment this is called. Not with an `async_hooks` init hook (before 5 Dec
 * 2026): enabling any hook, even for one call, installs V8 promise hooks,
 * and V8 then invalidates its PromiseHook protector for the life of the
 * process (`--trace-protector-invalidation` prints it), after which
 * optimised code no longer inlines promise resolution, `then` and `await`
 * (awaited async calls about 20% slower in a micro-benchmark on Node 20, 22
 * and 24; docs/sdk-overhead.md, "The PromiseHook protector").
 * `executionAsyncResource()` installs nothing: it marks the resource stack
 * as read, which only matters once some hook is enabled.
 *
 * Costs one tick and one small object. Idempotent.
 */
export function holdTickObjectShape(): void {
  if (requested) return;
  requested = true;
  process.nextTick(takeRecord);
}

function takeRecord(): void {
  held = executionAsyncResource();
}

/** @internal The record held, if any (for tests). */
export function heldTickObject(): object | undefined {
  return held;
}
