import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { AsyncLocalStorage } from 'node:async_hooks';
import { context as otelContext, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { asyncContextFrameActive, ContextStore } from './context.ts';
import { vigil } from '../vigil.ts';
import { createLogger, flushLogger } from './logger.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, stream };
}

test('base fields, ISO time, level label, redaction', () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: 'svc', version: '2.0.0', destination: stream }, new ContextStore());
  log.info({ password: 'hunter2', user: { token: 't0k' }, req: { headers: { authorization: 'Bearer x' } } }, 'hello');
  const l = lines[0]!;
  assert.equal(l.level, 'info');
  assert.equal(l.service, 'svc');
  assert.equal(l.version, '2.0.0');
  assert.equal(l.pid, process.pid);
  assert.equal(typeof l.hostname, 'string');
  assert.match(String(l.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(l.password, '[REDACTED]');
  assert.deepEqual(l.user, { token: '[REDACTED]' });
  assert.deepEqual(l.req, { headers: { authorization: '[REDACTED]' } });
});

test('request context from headers (traceparent) reaches lines across awaits', async () => {
  const { lines, stream } = capture();
  const ctx = new ContextStore();
  const log = createLogger({ service: 'svc', destination: stream }, ctx);
  const c = ctx.fromHeaders({ 'x-request-id': 'r-9', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x-tenant-id': 'acme' });
  await ctx.run(c, async () => {
    await new Promise((r) => setTimeout(r, 5));
    ctx.set({ userId: 'u-1' });
    log.info('inside');
  });
  log.info('outside');
  assert.deepEqual(
    { requestId: lines[0]!.requestId, traceId: lines[0]!.traceId, spanId: lines[0]!.spanId, tenantId: lines[0]!.tenantId, userId: lines[0]!.userId },
    { requestId: 'r-9', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', tenantId: 'acme', userId: 'u-1' },
  );
  assert.equal(lines[1]!.requestId, undefined);
  assert.ok(typeof ctx.fromHeaders({}).requestId === 'string');
  assert.equal(ctx.fromHeaders({ traceparent: 'garbage' }).traceId, undefined);
});

/** A working AsyncLocalStorage context manager (what @opentelemetry/context-async-hooks provides). */
class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.als.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

test('an active OpenTelemetry span supplies trace and span ids (wins over traceparent)', () => {
  const { lines, stream } = capture();
  const ctx = new ContextStore();
  const log = createLogger({ service: 'svc', destination: stream }, ctx);
  assert.ok(otelContext.setGlobalContextManager(new AlsContextManager()));
  try {
    const span = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    ctx.run(ctx.fromHeaders({ traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` }), () => {
      otelContext.with(trace.setSpan(otelContext.active(), span), () => log.info('in span'));
      log.info('header only');
    });
  } finally {
    otelContext.disable();
  }
  assert.equal(lines[0]!.traceId, 'a'.repeat(32));
  assert.equal(lines[0]!.spanId, 'b'.repeat(16));
  assert.equal(lines[1]!.traceId, 'c'.repeat(32));
});

test("requestContext 'auto' is on only where AsyncContextFrame carries AsyncLocalStorage", () => {
  assert.equal(asyncContextFrameActive('20.20.2', []), false);
  assert.equal(asyncContextFrameActive('22.12.0', []), false);
  assert.equal(asyncContextFrameActive('22.12.0', ['--experimental-async-context-frame']), true);
  assert.equal(asyncContextFrameActive('22.6.0', ['--experimental-async-context-frame']), false);
  assert.equal(asyncContextFrameActive('24.1.0', []), true);
  assert.equal(asyncContextFrameActive('24.1.0', ['--no-async-context-frame']), false);
  assert.equal(asyncContextFrameActive('26.0.0', []), true);
  const opts = { service: 't', logger: { level: 'silent' }, defaultMetrics: false } as const;
  const byDefault = vigil(opts);
  const auto = vigil({ ...opts, requestContext: 'auto' });
  const on = vigil({ ...opts, requestContext: true });
  const off = vigil({ ...opts, requestContext: false });
  try {
    assert.equal(byDefault.requestContext, asyncContextFrameActive());
    assert.equal(auto.requestContext, asyncContextFrameActive());
    assert.equal(on.requestContext, true);
    assert.equal(off.requestContext, false);
  } finally {
    for (const o of [byDefault, auto, on, off]) o.close();
  }
});

test('flushLogger waits until an asynchronous destination has written every line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-flush-'));
  try {
    for (let round = 0; round < 20; round++) {
      const file = join(dir, `log-${round}`);
      const dest = pino.destination({ dest: file, sync: false, mkdir: true });
      await new Promise((r) => dest.once('ready', r));
      const logger = createLogger({ service: 'flush', destination: dest }, new ContextStore());
      // The first line goes out at once; the others queue behind it while it is in flight.
      for (let i = 0; i < 50; i++) logger.info({ i, pad: 'x'.repeat(200) }, 'line');
      logger.info('last');
      await flushLogger(logger);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      assert.equal(lines.length, 51, `round ${round}: ${lines.length} of 51 lines on disk when the flush resolved`);
      assert.equal((JSON.parse(lines.at(-1)!) as { msg: string }).msg, 'last');
      dest.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
