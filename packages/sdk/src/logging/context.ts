import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { trace } from '@opentelemetry/api';

/** Fields attached to every log line written while handling one request. */
export interface RequestContext {
  requestId: string;
  traceId?: string;
  spanId?: string;
  tenantId?: string;
  userId?: string;
  /** Route template, set once the router matched. */
  route?: string;
}

/** Request ids generated per batch (one random fill and one string for all of them). */
const BATCH = 128;
const HEX = '0123456789abcdef';
/** Where the 16 bytes of a UUID go in its 36-character text form. */
const UUID_POS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const entropy = Buffer.alloc(16 * BATCH);
const text = Buffer.alloc(36 * BATCH);
let batch = '';
let next = BATCH;

/**
 * A random (version 4) UUID, as `crypto.randomUUID()` returns. Generated
 * 128 at a time into one string that each id is a slice of: `randomUUID()`
 * builds its result by concatenating 20 pieces, and the HTTP header check of
 * `x-request-id` then has to flatten it, together about 0.5 µs per request;
 * a slice of a flat string is checked in place.
 */
export function requestId(): string {
  if (next === BATCH) {
    randomFillSync(entropy);
    for (let k = 0; k < BATCH; k++) {
      const r = 16 * k;
      const o = 36 * k;
      entropy[r + 6] = (entropy[r + 6]! & 0x0f) | 0x40; // version 4
      entropy[r + 8] = (entropy[r + 8]! & 0x3f) | 0x80; // variant 10
      for (let i = 0; i < 16; i++) {
        const b = entropy[r + i]!;
        text[o + UUID_POS[i]!] = HEX.charCodeAt(b >> 4);
        text[o + UUID_POS[i]! + 1] = HEX.charCodeAt(b & 15);
      }
      text[o + 8] = text[o + 13] = text[o + 18] = text[o + 23] = 0x2d;
    }
    batch = text.toString('latin1');
    next = 0;
  }
  const at = 36 * next++;
  return batch.slice(at, at + 36);
}

/**
 * Whether AsyncLocalStorage runs on AsyncContextFrame here: the store travels
 * in V8's continuation data, so carrying a context costs about as much as a
 * property write. Node 24 turned it on by default (`--no-async-context-frame`
 * turns it off); Node 22.7+ and 23 have it behind
 * `--experimental-async-context-frame`. Older releases carry the store
 * through async hooks, which run for every promise and async resource in the
 * process once any store is active.
 */
export function asyncContextFrameActive(version = process.versions.node, flags: readonly string[] = nodeFlags()): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major >= 24) return !flags.includes('--no-async-context-frame');
  if (major === 23 || (major === 22 && minor >= 7)) return flags.includes('--experimental-async-context-frame');
  return false;
}

function nodeFlags(): string[] {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;

/**
 * Request-scoped context carried through async calls with AsyncLocalStorage,
 * so log lines written anywhere during a request carry its ids without
 * passing a logger around. One instance per `vigil()`.
 */
export class ContextStore {
  private readonly als = new AsyncLocalStorage<RequestContext>();

  /**
   * Whether the store rides on AsyncContextFrame here. Then an adapter
   * enters a request's context with {@link enterWith} where the request
   * starts, rather than wrapping the rest of it in {@link run}: the
   * framework runs the rest in that same synchronous run, Node restores the
   * frame when the callback that received the request returns, and `run()`
   * builds a second frame per request to restore the previous one.
   */
  readonly framed = asyncContextFrameActive();

  /** The current request's context, or undefined outside a request. */
  get(): RequestContext | undefined {
    return this.als.getStore();
  }

  /** Runs `fn` with `ctx` as the current context. */
  run<T>(ctx: RequestContext, fn: () => T): T {
    return this.als.run(ctx, fn);
  }

  /**
   * Makes `ctx` current for the rest of this synchronous run and what it
   * schedules; used where the SDK cannot wrap the handler (a `request`
   * listener prepended to a node:http server).
   */
  enterWith(ctx: RequestContext): void {
    this.als.enterWith(ctx);
  }

  /** Makes no context current for the rest of this synchronous run and what it schedules (the counterpart of {@link enterWith}). */
  leave(): void {
    this.als.enterWith(undefined as unknown as RequestContext);
  }

  /** Sets tenant/user ids on the current request's context (no-op outside a request). */
  set(fields: Partial<Omit<RequestContext, 'requestId'>>): void {
    const ctx = this.als.getStore();
    if (ctx !== undefined) Object.assign(ctx, fields);
  }

  /**
   * Builds a context from request headers: `x-request-id` (or a new UUID),
   * trace and span ids from a W3C `traceparent` header, tenant and user from
   * `x-tenant-id` / `x-user-id`.
   */
  fromHeaders(headers: IncomingHttpHeaders): RequestContext {
    const rid = headers['x-request-id'];
    const ctx: RequestContext = { requestId: typeof rid === 'string' && rid.length > 0 && rid.length <= 128 ? rid : requestId() };
    const tp = headers.traceparent;
    const m = typeof tp === 'string' ? TRACEPARENT.exec(tp) : null;
    if (m) {
      ctx.traceId = m[1];
      ctx.spanId = m[2];
    }
    const tenant = headers['x-tenant-id'];
    if (typeof tenant === 'string') ctx.tenantId = tenant;
    const user = headers['x-user-id'];
    if (typeof user === 'string') ctx.userId = user;
    return ctx;
  }

  /**
   * The fields to merge into a log line: the request context, with trace and
   * span ids from the active OpenTelemetry span when there is one (it wins
   * over the incoming header, as it is the span this code runs in).
   */
  logFields(): Record<string, string> {
    const out: Record<string, string> = {};
    const ctx = this.als.getStore();
    if (ctx !== undefined) {
      out.requestId = ctx.requestId;
      if (ctx.traceId) out.traceId = ctx.traceId;
      if (ctx.spanId) out.spanId = ctx.spanId;
      if (ctx.tenantId) out.tenantId = ctx.tenantId;
      if (ctx.userId) out.userId = ctx.userId;
    }
    const span = trace.getActiveSpan();
    if (span !== undefined) {
      const sc = span.spanContext();
      out.traceId = sc.traceId;
      out.spanId = sc.spanId;
    }
    return out;
  }
}
