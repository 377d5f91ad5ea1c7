import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsFromObject, Matcher } from '@vigil/core';
import { isStaleNaN } from '../storage/index.ts';
import { createEngine } from '../promql/index.ts';
import { createMemoryStorage } from '../testutil/index.ts';
import { AlertingRule } from './alerting.ts';
import { Group } from './group.ts';
import { engineQueryFunc } from './query.ts';
import { RecordingRule } from './recording.ts';

const T0 = 1_700_000_000_000;

async function setup(rules: ConstructorParameters<typeof Group>[0]['rules'], limit = 0) {
  const storage = createMemoryStorage();
  const g = new Group({ name: 'g', file: 'f.yml', interval: 60_000, queryOffset: 0, limit, rules }, { query: engineQueryFunc(createEngine(), storage), appendable: storage, externalLabels: [], externalURL: '' });
  const put = async (t: number, job: string, v: number) => {
    const app = storage.appender();
    app.append(0, labelsFromObject({ __name__: 'up', job }), t, v);
    await app.commit();
  };
  const read = async (name: string) => {
    const q = await storage.querier(0, T0 + 3600_000);
    const set = await q.select(true, undefined, new Matcher('=', '__name__', name));
    const out: Record<string, Array<[number, number]>> = {};
    for (const s of set.series) {
      const it = s.iterator();
      const pts: Array<[number, number]> = [];
      while (it.next()) pts.push([it.t - T0, isStaleNaN(it.v) ? -1 : it.v]);
      out[s.labels.filter((l) => l.name !== '__name__').map((l) => `${l.name}=${l.value}`).join(',')] = pts;
    }
    q.close();
    return out;
  };
  return { g, put, read };
}

test('group: stale markers for series the rule no longer returns', async () => {
  const { g, put, read } = await setup([new RecordingRule('job:up', 'up == 1', [])]);
  await put(T0, 'a', 1);
  await put(T0, 'b', 1);
  await g.evalAt(T0);
  await put(T0 + 60_000, 'a', 1);
  await put(T0 + 60_000, 'b', 0);
  await g.evalAt(T0 + 60_000);
  const out = await read('job:up');
  assert.deepEqual(out['job=a'], [[0, 1], [60_000, 1]]);
  assert.deepEqual(out['job=b'], [[0, 1], [60_000, -1]], 'b gets a stale marker at the evaluation where it vanished');
  assert.equal(g.rules[0]!.health, 'ok');
});

test('group: limit fails the rule and records the error', async () => {
  const { g, put } = await setup([new RecordingRule('job:up', 'up', [])], 1);
  await put(T0, 'a', 1);
  await put(T0, 'b', 1);
  await g.evalAt(T0);
  assert.equal(g.rules[0]!.health, 'err');
  assert.equal(g.rules[0]!.lastError, 'exceeded limit of 1 with 2 series');
});

test('group: keep_firing_for keeps a firing alert after its condition clears', async () => {
  const rule = new AlertingRule('Down', 'up == 0', 60_000, 120_000, [], []);
  rule.restored = true;
  const { g, put, read } = await setup([rule]);
  for (let k = 0; k <= 8; k++) {
    await put(T0 + k * 60_000, 'a', k <= 2 ? 0 : 1);
    await g.evalAt(T0 + k * 60_000);
    const states = rule.activeAlerts().map((a) => a.state);
    const want = k === 0 ? ['pending'] : k <= 4 ? ['firing'] : [];
    assert.deepEqual(states, want, `at ${k}m`);
  }
  const alerts = await read('ALERTS');
  assert.deepEqual(alerts['alertname=Down,alertstate=firing,job=a']!.map(([t, v]) => [t / 60_000, v]), [[1, 1], [2, 1], [3, 1], [4, 1], [5, -1]]);
});

test('group: rules sharing a selector in one evaluation see what earlier rules of the group wrote', async () => {
  // x and y read the same selector (one shared read), but job:up, written between them, matches it: y reads afresh.
  const sel = 'count({__name__=~"up|job:up"})';
  const { g, put, read } = await setup([new RecordingRule('x', sel, []), new RecordingRule('job:up', 'up', []), new RecordingRule('y', sel, []), new RecordingRule('z', 'count(up)', [])]);
  await put(T0, 'a', 1);
  await put(T0, 'b', 1);
  await g.evalAt(T0);
  assert.deepEqual((await read('x'))[''], [[0, 2]]);
  assert.deepEqual((await read('y'))[''], [[0, 4]], 'the series written by job:up are selected by the later rule');
  assert.deepEqual((await read('z'))[''], [[0, 2]]);
});
