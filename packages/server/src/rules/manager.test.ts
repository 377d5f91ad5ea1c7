import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFromObject } from '@vigil/core';
import { Registry } from 'prom-client';
import { createEngine } from '../promql/index.ts';
import { createMemoryStorage } from '../testutil/index.ts';
import { RuleManager, type Timers } from './manager.ts';
import { evalTimestamp, groupOffset } from './schedule.ts';
import type { NotifierAlert } from './types.ts';

const RULES = `groups:
  - name: g
    interval: 1m
    rules:
      - alert: Down
        expr: up == 0
        for: 20m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.job }} is down ({{ $value }})"}
      - record: job:up:sum
        expr: sum by (job) (up)
`;

/** A manual clock with timers that fire only when the test advances time. */
class ManualTime implements Timers {
  t: number;
  private q: Array<{ at: number; fn: () => void; id: number }> = [];
  private id = 0;
  constructor(t: number) {
    this.t = t;
  }
  now = () => this.t;
  setTimeout(fn: () => void, ms: number): unknown {
    const h = { at: this.t + ms, fn, id: ++this.id };
    this.q.push(h);
    return h.id;
  }
  clearTimeout(h: unknown): void {
    this.q = this.q.filter((x) => x.id !== h);
  }
  /** Advances to `to`, firing due timers in order and letting their async work settle. */
  async advance(to: number): Promise<void> {
    for (;;) {
      this.q.sort((a, b) => a.at - b.at);
      const n = this.q[0];
      if (!n || n.at > to) break;
      this.q.shift();
      this.t = n.at;
      n.fn();
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    }
    this.t = to;
  }
}

async function load(storage: ReturnType<typeof createMemoryStorage>, from: number, to: number, v: number): Promise<void> {
  const app = storage.appender();
  for (let t = from; t <= to; t += 15_000) app.append(0, labelsFromObject({ __name__: 'up', job: 'api' }), t, v);
  await app.commit();
}

test('rule manager: aligned schedule, pending → firing, sent alerts, metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  try {
    const file = join(dir, 'r.yml');
    writeFileSync(file, RULES.replace('for: 20m', 'for: 2m'));
    const storage = createMemoryStorage();
    const t0 = 1_700_000_000_000;
    const offset = groupOffset(file, 'g', 60_000);
    const first = evalTimestamp(t0, 60_000, offset) + 60_000;
    await load(storage, t0 - 600_000, first + 4 * 60_000, 0);
    const time = new ManualTime(t0);
    const sent: NotifierAlert[][] = [];
    const registry = new Registry();
    const m = new RuleManager({ engine: createEngine(), queryable: storage, appendable: storage, now: time.now, timers: time, registry, externalURL: 'http://vigil:9090', sender: { send: (a) => sent.push([...a]) } });
    await m.update(60_000, [file], labelsFromObject({ cluster: 'eu' }), 'http://vigil:9090');
    await m.start();
    await time.advance(first + 4 * 60_000 + 1);
    const rule = m.alertingRules()[0]!;
    const g = m.groups()[0]!;
    assert.equal(g.lastEvaluation, first + 4 * 60_000, 'evaluations happen at aligned timestamps');
    const [a] = rule.activeAlerts();
    assert.equal(a!.state, 'firing');
    assert.equal(a!.activeAt, first);
    assert.equal(a!.firedAt, first + 2 * 60_000);
    // Sent when it fires (+2m) and again once the 1m resend delay has strictly passed (+4m, not +3m).
    assert.equal(sent.length, 2);
    assert.equal(sent[0]![0]!.startsAt, first + 2 * 60_000);
    assert.equal(sent[0]![0]!.generatorURL, 'http://vigil:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1');
    assert.deepEqual(Object.fromEntries(sent[0]![0]!.annotations.map((l) => [l.name, l.value])), { summary: 'api is down (0)' });
    // The error rate drops: resolved at the next evaluation and sent as resolved.
    await load(storage, first + 4 * 60_000 + 15_000, first + 20 * 60_000, 1);
    await time.advance(first + 6 * 60_000 + 1);
    assert.equal(rule.activeAlerts().length, 0);
    const last = sent.at(-1)![0]!;
    assert.equal(last.endsAt, first + 5 * 60_000, 'resolved alerts carry endsAt = resolution time');
    const metrics = await registry.getSingleMetricAsString('vigil_rule_evaluations_total');
    assert.match(metrics, /vigil_rule_evaluations_total\{rule_group=".*;g"\} 14/);
    await m.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rule manager: for state restored after a restart (fires on time, not for later)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  try {
    const file = join(dir, 'r.yml');
    writeFileSync(file, RULES);
    const storage = createMemoryStorage();
    const t0 = 1_700_000_040_000;
    await load(storage, t0 - 300_000, t0 + 40 * 60_000, 0);
    const time = new ManualTime(t0);
    const mk = () => new RuleManager({ engine: createEngine(), queryable: storage, appendable: storage, now: time.now, timers: time });
    const m1 = mk();
    await m1.update(60_000, [file], [], '');
    const key = m1.groups()[0]!.key;
    for (let k = 0; k <= 5; k++) {
      time.t = t0 + k * 60_000;
      await m1.evalGroup(key, time.t);
    }
    assert.equal(m1.alertingRules()[0]!.activeAlerts()[0]!.activeAt, t0);
    // Down for 2 minutes, then a new process.
    const m2 = mk();
    await m2.update(60_000, [file], [], '');
    time.t = t0 + 7 * 60_000;
    await m2.evalGroup(key, time.t);
    const a = m2.alertingRules()[0]!.activeAlerts()[0]!;
    // 5m spent pending before the outage, the 2m outage does not count: 15m left.
    assert.equal(a.activeAt, t0 + 2 * 60_000);
    for (let k = 8; k <= 22; k++) {
      time.t = t0 + k * 60_000;
      await m2.evalGroup(key, time.t);
      assert.equal(a.state, k < 22 ? 'pending' : 'firing', `at ${k}m`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rule manager: a bad file on reload keeps the old rules', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  try {
    const file = join(dir, 'r.yml');
    writeFileSync(file, RULES);
    const storage = createMemoryStorage();
    const registry = new Registry();
    const m = new RuleManager({ engine: createEngine(), queryable: storage, appendable: storage, registry });
    await m.update(60_000, [join(dir, '*.yml')], [], '');
    writeFileSync(join(dir, 'bad.yml'), 'groups:\n  - name: x\n    rules:\n      - record: a\n        expr: sum(\n');
    await assert.rejects(m.update(60_000, [join(dir, '*.yml')], [], ''), /bad\.yml:5:15: group "x", rule 1, "a": could not parse expression/);
    assert.equal(m.groups().length, 1);
    assert.match(await registry.getSingleMetricAsString('vigil_rule_config_last_reload_successful'), / 0$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
