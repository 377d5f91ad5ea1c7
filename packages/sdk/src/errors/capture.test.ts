import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import pino from 'pino';
import { ErrorCapture, type ErrorEvent } from './capture.ts';
import { fingerprint } from './fingerprint.ts';

// Line numbers are stripped (so a deploy does not regroup errors); the
// function names on the stack tell call sites apart.
function loadUser(): Error {
  return new TypeError('x is undefined');
}
function saveOrder(): Error {
  return new TypeError('x is undefined');
}

test('fingerprints: same call site same id whatever the message; different site differs', () => {
  const mk = (msg: string) => new RangeError(msg);
  const fa = [1, 2].map((i) => fingerprint(mk(`bad ${i}`)));
  assert.equal(fa[0], fa[1]);
  assert.notEqual(fingerprint(loadUser()), fingerprint(saveOrder()));
  assert.notEqual(fingerprint(loadUser()), fingerprint(new RangeError('x is undefined')), 'the error class is part of it');
  assert.match(fingerprint('a string'), /^[0-9a-f]{16}$/);
});

test('capture counts errors_total{type,severity}, passes context to sinks, survives a failing sink', async () => {
  const registry = new Registry();
  const events: ErrorEvent[] = [];
  const cap = new ErrorCapture(registry, pino({ level: 'silent' }), () => ({ requestId: 'r1' }));
  cap.addSink((e) => void events.push(e));
  cap.addSink(() => {
    throw new Error('sink down');
  });
  await cap.capture(new Error('db timeout'), { type: 'route', context: { route: '/x' } });
  await cap.capture('plain string', { type: 'unhandled_rejection' });
  await cap.capture(new Error('db timeout'), { type: 'route', severity: 'warning' });
  const body = await registry.metrics();
  assert.match(body, /^errors_total\{type="route",severity="error"\} 1$/m);
  assert.match(body, /^errors_total\{type="unhandled_rejection",severity="error"\} 1$/m);
  assert.match(body, /^errors_total\{type="route",severity="warning"\} 1$/m);
  assert.equal(events.length, 3);
  assert.deepEqual(events[0]!.context, { requestId: 'r1', route: '/x' });
  assert.equal(events[1]!.error.message, 'plain string');
});

test('process handlers: an uncaught exception is logged as fatal with its fingerprint, then exit 1', () => {
  const script = fileURLToPath(new URL('../../test/fixtures/uncaught-app.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const fatal = lines.find((l) => l.level === 'fatal');
  assert.ok(fatal, r.stdout);
  assert.equal(fatal.msg, 'kaboom');
  assert.equal(fatal.errorType, 'uncaught');
  assert.match(String(fatal.fingerprint), /^[0-9a-f]{16}$/);
  assert.equal(lines.at(-1)!.msg, 'shutdown complete');
});
