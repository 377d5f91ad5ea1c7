// Differential test: `vigil alertmanager routes test` against Debian's
// `amtool config routes test` on generated label sets over several configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { loadAlertmanagerConfigFile } from '../../packages/server/src/alerting/config/index.ts';
import { Route } from '../../packages/server/src/alerting/dispatch/index.ts';
import { runAlertmanagerCommand } from '../../packages/cli/src/commands/alertmanager.ts';

const run = promisify(execFile);
const AMTOOL = '/usr/bin/amtool';
const CONFIGS = [
  '../shared/fixtures/seed-configs/000-alertmanager.yml',
  'test/e2e/alertmanager-testdata/routes-nested.yml',
  'test/e2e/alertmanager-testdata/routes-continue.yml',
  'test/e2e/alertmanager-testdata/routes-inhibit.yml',
];
const VALUES: Record<string, string[]> = {
  alertname: ['HighCPU', 'HighLatency', 'Watchdog', 'DiskFull', 'DeadMansSwitch'],
  severity: ['critical', 'warning', 'info', 'debug', ''],
  team: ['frontend', 'web', 'db', 'ops', 'oncall', ''],
  env: ['prod', 'staging', 'dev', ''],
  service: ['api', 'cdn', 'database', 'foo1', 'baz', 'foo3', ''],
  cluster: ['eu1', 'us1'],
};

/** Deterministic label sets (mulberry32) so failures reproduce. */
function labelSets(n: number, seed: number): Record<string, string>[] {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: Record<string, string>[] = [];
  for (let i = 0; i < n; i++) {
    const ls: Record<string, string> = {};
    for (const [k, vs] of Object.entries(VALUES)) {
      const v = vs[Math.floor(rnd() * vs.length)]!;
      if (v !== '' && rnd() < 0.85) ls[k] = v;
    }
    out.push(ls);
  }
  return out;
}

const args = (ls: Record<string, string>) => Object.entries(ls).map(([k, v]) => `${k}=${v}`);

test('routes test matches amtool config routes test', { skip: !existsSync(AMTOOL) && 'amtool not installed', timeout: 120_000 }, async () => {
  let compared = 0;
  for (const [ci, file] of CONFIGS.entries()) {
    const root = new Route((await loadAlertmanagerConfigFile(file)).route);
    const sets = labelSets(40, 1000 + ci);
    // amtool is ~20 ms a call; four at a time keeps the test a few seconds long.
    for (let i = 0; i < sets.length; i += 4) {
      await Promise.all(
        sets.slice(i, i + 4).map(async (ls) => {
          const { stdout } = await run(AMTOOL, ['config', 'routes', 'test', `--config.file=${file}`, ...args(ls)]);
          const want = stdout.trim();
          const got = root.match(ls).map((r) => r.receiver).join(',');
          assert.equal(got, want, `${file} ${JSON.stringify(ls)}`);
          compared++;
        }),
      );
    }
  }
  assert.ok(compared >= 150, `compared ${compared} label sets`);
});

test('the CLI prints the receivers on one line, comma-separated', async () => {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    const code = await runAlertmanagerCommand([
      'routes', 'test', '--config.file=test/e2e/alertmanager-testdata/routes-continue.yml', 'env=prod', 'severity=critical', 'team=ops',
    ]);
    assert.equal(code, 0);
  } finally {
    console.log = orig;
  }
  assert.deepEqual(lines, ['a,b1,b2,d']);
});

test('check-config accepts and refuses the same files as amtool check-config', { skip: !existsSync(AMTOOL) && 'amtool not installed', timeout: 60_000 }, async () => {
  const { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const src = 'packages/server/src/alerting/config/testdata';
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-cc-'));
  try {
    const files = readdirSync(src).filter((f) => f.endsWith('.yml'));
    assert.ok(files.length >= 7);
    for (const f of files) {
      // msteams_configs arrived in Alertmanager 0.26; Debian ships 0.25, so it sees the file without them.
      const text = readFileSync(join(src, f), 'utf8').replace(/\n {4}msteams_configs:\n(?: {6}.*\n)+/, '\n');
      const p = join(dir, f);
      writeFileSync(p, text);
      const amOk = await run(AMTOOL, ['check-config', p]).then(() => true, () => false);
      const orig = console.log;
      console.log = () => undefined;
      let code: number;
      try {
        code = await runAlertmanagerCommand(['check-config', p]);
      } finally {
        console.log = orig;
      }
      assert.equal(code === 0, amOk, `${f}: amtool ${amOk ? 'accepts' : 'refuses'} it`);
      assert.equal(amOk, f.endsWith('.good.yml'), f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
