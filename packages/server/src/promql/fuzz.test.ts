// Property test: random and mutated PromQL reaches the parser and the engine
// and must come back as a value or one of the PromQL error classes, never as
// a crash (TypeError, RangeError, …) or a hang past the query timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { labelsFromStrings } from '@vigil/core';
import { MemoryStorage } from '../testutil/index.ts';
import { STALE_NAN } from '../storage/index.ts';
import { Engine } from './engine/engine.ts';
import { parseExpr } from './parser/index.ts';
import { PromQLExecError, PromQLParseError, QueryTimeoutError, TooManySamplesError } from './errors.ts';
import { TESTDATA_DIR } from './promqltest/suite.ts';
import { rng } from '../testutil/rng.ts';

const ALLOWED = [PromQLParseError, PromQLExecError, QueryTimeoutError, TooManySamplesError];
const isAllowed = (e: unknown) => ALLOWED.some((c) => e instanceof c);

function corpus(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(TESTDATA_DIR)) {
    if (!f.endsWith('.test')) continue;
    for (const line of readFileSync(join(TESTDATA_DIR, f), 'utf8').split('\n')) {
      const m = /^\s*eval\S*\s+(?:instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.+)$/.exec(line);
      if (m) out.push(m[1]!);
    }
  }
  return out;
}

const TOKENS = ['(', ')', '[', ']', '{', '}', ',', ':', '@', '"', "'", '`', '=~', '!~', '!=', '=', '+', '-', '*', '/', '%', '^', '==', '>', 'bool', 'on', 'ignoring', 'group_left', 'group_right', 'by', 'without', 'offset', 'start()', 'end()', 'sum', 'rate', 'topk', 'count_values', 'label_replace', 'histogram_quantile', 'absent', 'x', 'metric', '5m', '1s', '0', '1e308', 'NaN', 'Inf', '-1', '\\', '\n', '€', '\u0000', ' ', 'and', 'or', 'unless', 'atan2'];

function mutate(s: string, r: () => number): string {
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 4)) {
      case 0:
        s = s.slice(0, p) + s.slice(p + 1 + Math.floor(r() * 3));
        break;
      case 1:
        s = s.slice(0, p) + TOKENS[Math.floor(r() * TOKENS.length)] + s.slice(p);
        break;
      case 2: {
        const q = Math.floor(r() * (s.length + 1));
        s = s.slice(0, Math.min(p, q)) + s.slice(Math.max(p, q)) + s.slice(Math.min(p, q), Math.max(p, q));
        break;
      }
      default:
        s = s.slice(0, p) + s.slice(p, p + 8).repeat(1 + Math.floor(r() * 3)) + s.slice(p + 8);
    }
  }
  return s;
}

function randomTokens(r: () => number): string {
  const n = 1 + Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += TOKENS[Math.floor(r() * TOKENS.length)] + (r() < 0.5 ? ' ' : '');
  return s;
}

test('parser: mutated and random strings give a value or a PromQLParseError with a position', () => {
  const r = rng(0x5eed);
  const seeds = corpus();
  assert.ok(seeds.length > 1000);
  const deadline = performance.now() + 8000;
  let n = 0;
  for (; n < 6000 && performance.now() < deadline; n++) {
    const q = r() < 0.8 ? mutate(seeds[Math.floor(r() * seeds.length)]!, r) : randomTokens(r);
    try {
      parseExpr(q);
    } catch (e) {
      if (!(e instanceof PromQLParseError)) assert.fail(`parser threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message} for ${JSON.stringify(q)}`);
      assert.match(e.message, /^\d+:\d+: parse error: /, `no position for ${JSON.stringify(q)}`);
    }
  }
  assert.ok(n >= 500, `only ${n} cases ran`);
});

test('parser: hostile inputs end in errors', () => {
  for (const q of ['('.repeat(50_000) + '1' + ')'.repeat(50_000), '-'.repeat(50_000) + '1', 'a' + ' + a'.repeat(50_000), 'x' + '[1m:1m]'.repeat(2000), '{a=~"(((("}', '"\\', '`', 'sum(' + 'rate('.repeat(3)]) {
    assert.throws(() => parseExpr(q), PromQLParseError);
  }
});

test('engine: mutated queries evaluate or fail with PromQL errors, within the timeout', async () => {
  const db = new MemoryStorage();
  const app = db.appender();
  const r = rng(42);
  const names = ['metric', 'x', 'http_requests_total', 'foo_bucket'];
  for (const name of names) {
    for (let i = 0; i < 4; i++) {
      const ls = labelsFromStrings('__name__', name, 'job', `j${i % 2}`, 'instance', String(i), ...(name.endsWith('_bucket') ? ['le', ['0.1', '1', '10', '+Inf'][i]!] : []));
      for (let t = 0; t <= 600_000; t += 15_000) app.append(0, ls, t, r() < 0.02 ? STALE_NAN : Math.floor(r() * 100));
    }
  }
  await app.commit();
  const engine = new Engine({ timeout: 2000, maxSamples: 200_000 });
  const seeds = corpus();
  const deadline = performance.now() + 15_000;
  let ran = 0;
  for (; ran < 600 && performance.now() < deadline; ran++) {
    const q = r() < 0.3 ? seeds[Math.floor(r() * seeds.length)]! : mutate(seeds[Math.floor(r() * seeds.length)]!, r);
    const t0 = performance.now();
    try {
      if (r() < 0.5) await engine.instantQuery(db, q, Math.floor(r() * 900_000));
      else await engine.rangeQuery(db, q, 0, 600_000, 30_000);
    } catch (e) {
      if (!isAllowed(e)) assert.fail(`engine threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message} for ${JSON.stringify(q)}`);
    }
    assert.ok(performance.now() - t0 < 5000, `query ran past its timeout: ${JSON.stringify(q)}`);
  }
  assert.ok(ran >= 100, `only ${ran} queries ran`);
});

test('engine: a catastrophic regex over a long label value finishes quickly', async () => {
  const db = new MemoryStorage();
  const app = db.appender();
  app.append(0, labelsFromStrings('__name__', 'x', 'path', 'a'.repeat(5000) + '!'), 0, 1);
  await app.commit();
  const engine = new Engine({ timeout: 2000 });
  const t0 = performance.now();
  const r = await engine.instantQuery(db, 'count(x{path=~"(a+)+b"}) or vector(0)', 1000);
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(r.value.type === 'vector' && r.value.vector[0]!.v, 0);
});
