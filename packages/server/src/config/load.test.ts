import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigErrors } from '@vigil/core';
import { checkConfigFiles, defaultConfig, loadConfigFile, parseConfig } from './index.ts';

const testdata = new URL('./testdata/', import.meta.url).pathname;
const seeds = resolve(new URL('../../../../', import.meta.url).pathname, '../shared/fixtures/seed-configs');

async function errorsOf(file: string): Promise<string[]> {
  try {
    await loadConfigFile(join(testdata, file));
  } catch (err) {
    assert.ok(err instanceof ConfigErrors, `${file}: ${(err as Error).message}`);
    return err.errors.map((e) => e.message.replace(testdata, ''));
  }
  assert.fail(`${file} loaded without error`);
}

test('the seed Prometheus configurations load unchanged', async () => {
  const files = readdirSync(seeds).filter((f) => /prometheus\.yml$/.test(f));
  assert.ok(files.length >= 2);
  for (const f of files) {
    const cfg = await loadConfigFile(join(seeds, f));
    assert.ok(cfg.scrape_configs.length > 0, f);
    assert.equal(cfg.original, readFileSync(join(seeds, f), 'utf8'));
  }
});

test('check config: a seed with its rule file beside it passes; a missing rule file fails as in promtool', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-check-'));
  try {
    copyFileSync(join(seeds, '002-prometheus.yml'), join(dir, 'prometheus.yml'));
    let lines: string[] = [];
    assert.equal(await checkConfigFiles([join(dir, 'prometheus.yml')], (l) => lines.push(l)), 1);
    assert.deepEqual(lines.slice(0, 2), [`Checking ${join(dir, 'prometheus.yml')}`, ` FAILED: "${join(dir, 'alert_rules.yml')}" does not point to an existing file`]);
    // The seed's rule file, under the name the seed config uses.
    copyFileSync(join(seeds, '002-alert_rules.yml'), join(dir, 'alert_rules.yml'));
    lines = [];
    assert.equal(await checkConfigFiles([join(dir, 'prometheus.yml'), join(seeds, '000-prometheus.yml')], (l) => lines.push(l)), 0);
    assert.equal(lines[1], '  SUCCESS: 1 rule files found');
    assert.equal(lines[2], ` SUCCESS: ${join(dir, 'prometheus.yml')} is valid prometheus config file syntax`);
    assert.equal(lines[4], `Checking ${join(dir, 'alert_rules.yml')}`);
    assert.match(lines[5]!, /^ {2}SUCCESS: \d+ rules found$/);
    assert.ok(lines.includes(` SUCCESS: ${join(seeds, '000-prometheus.yml')} is valid prometheus config file syntax`));
    // The CLI injects the rules subsystem's full check; it gets the expanded rule files.
    const seen: string[] = [];
    assert.equal(
      await checkConfigFiles([join(dir, 'prometheus.yml')], () => {}, {
        checkRuleFiles: async (files, out) => {
          seen.push(...files);
          out('custom');
          return 1;
        },
      }),
      1,
    );
    assert.deepEqual(seen, [join(dir, 'alert_rules.yml')]);
    // A rule file that is not YAML fails the check with its position.
    writeFileSync(join(dir, 'alert_rules.yml'), 'groups:\n  - name: x\n    rules: [\n');
    lines = [];
    assert.equal(await checkConfigFiles([join(dir, 'prometheus.yml')], (l) => lines.push(l)), 1);
    assert.match(lines.join('\n'), /alert_rules\.yml:\d+:\d+: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('defaults follow Prometheus', async () => {
  const cfg = await loadConfigFile(join(seeds, '002-prometheus.yml'));
  assert.equal(cfg.global.scrape_interval, 15_000);
  assert.equal(cfg.global.scrape_timeout, 10_000);
  const api = cfg.scrape_configs[0]!;
  assert.equal(api.job_name, 'syncup-api');
  assert.equal(api.metrics_path, '/api/metrics');
  assert.equal(api.scheme, 'http');
  assert.equal(api.scrape_interval, 15_000);
  assert.equal(api.honor_timestamps, true);
  assert.equal(cfg.alerting.alertmanagers[0]!.api_version, 'v2');
  assert.ok(cfg.rule_files[0]!.endsWith('/alert_rules.yml'));
  const d = defaultConfig();
  assert.deepEqual([d.global.scrape_interval, d.global.scrape_timeout, d.global.evaluation_interval, d.scrape_configs.length], [60_000, 10_000, 60_000, 0]);
  const bare = parseConfig('scrape_configs:\n  - job_name: x\n    scrape_interval: 5s\n', '<test>');
  assert.equal(bare.scrape_configs[0]!.scrape_timeout, 5_000, 'timeout capped at the interval when unset');
});

test('a full configuration loads, with unsupported discovery reported as a warning', async () => {
  const cfg = await loadConfigFile(join(testdata, 'full.good.yml'));
  const api = cfg.scrape_configs[0]!;
  assert.equal(api.scheme, 'https');
  assert.deepEqual(api.params, { module: ['http_2xx'] });
  assert.equal(api.relabel_configs[0]!.replacement, '$1');
  assert.equal(api.metric_relabel_configs[0]!.action, 'drop');
  assert.deepEqual(cfg.scrape_configs[1]!.unsupported_sd, ['kubernetes_sd_configs']);
  assert.match(cfg.warnings[0]!, /kubernetes_sd_configs is not supported yet/);
});

/** Every testdata/*.bad.yml with the exact errors it must produce, in file order. */
const BAD: Record<string, string[]> = {
  'unknown-key.bad.yml': ['unknown-key.bad.yml:5:5: scrape_configs[0].scrape_intervall: unknown key'],
  'bad-duration.bad.yml': ['bad-duration.bad.yml:2:20: global.scrape_interval: not a valid duration string: "15 seconds"'],
  'timeout.bad.yml': ['timeout.bad.yml:4:21: scrape_configs[0].scrape_timeout: scrape timeout greater than scrape interval for scrape config with job name "api"'],
  'duplicate-job.bad.yml': ['duplicate-job.bad.yml:5:15: scrape_configs[1].job_name: found multiple scrape configs with job name "api"'],
  'many.bad.yml': [
    'many.bad.yml:3:13: scrape_configs[0].scheme: unexpected value "ftp"',
    'many.bad.yml:5:19: scrape_configs[0].static_configs[0].targets[0]: "http://localhost:3001/metrics" is not a valid hostname',
    'many.bad.yml:8:16: scrape_configs[0].relabel_configs[0].regex: error parsing regexp: missing closing ): `(unclosed`',
    'many.bad.yml:10:9: scrape_configs[0].relabel_configs[1]: relabel configuration for hashmod requires non-zero modulus',
  ],
  'yaml-syntax.bad.yml': ['yaml-syntax.bad.yml:5:3: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  'duplicate-key.bad.yml': ['duplicate-key.bad.yml:3:3: mapping key "scrape_interval" already defined'],
  'types.bad.yml': [
    'types.bad.yml:3:19: scrape_configs[0].metrics_path: metrics_path must start with "/", got "metrics"',
    'types.bad.yml:4:19: scrape_configs[0].sample_limit: must be integer, got "lots"',
    'types.bad.yml:7:17: scrape_configs[0].relabel_configs[0].action: unknown relabel action "replce"',
  ],
  'job-name.bad.yml': ['job-name.bad.yml:2:5: scrape_configs[0]: missing required key "job_name"', 'job-name.bad.yml:4:15: scrape_configs[1].job_name: job_name is empty'],
  'protocols.bad.yml': ['protocols.bad.yml:2:43: global.scrape_protocols[1]: unknown scrape protocol "Protobuf"'],
  'scrape-config-files.bad.yml': [
    'scrape-configs-bad/dup.yml:2:15: scrape_configs[0].job_name: found multiple scrape configs with job name "main"',
    'scrape-configs-bad/dup.yml:3:5: scrape_configs[0].scrape_intervl: unknown key',
    'scrape-configs-bad/dup.yml:4:1: global: unknown key',
  ],
  'auth.bad.yml': [
    'auth.bad.yml:2:5: scrape_configs[0]: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured',
    'auth.bad.yml:8:9: scrape_configs[0].static_configs[1].targt: unknown key',
  ],
};

test('every testdata/*.good.yml loads', async () => {
  const files = readdirSync(testdata).filter((f) => f.endsWith('.good.yml'));
  assert.ok(files.length >= 2);
  for (const f of files) await loadConfigFile(join(testdata, f));
});

test('broken configurations fail with every problem pointed at file:line:col and key path', async () => {
  const files = readdirSync(testdata).filter((f) => f.endsWith('.bad.yml')).sort();
  assert.deepEqual(files, Object.keys(BAD).sort(), 'every bad file has its expected errors');
  for (const f of files) assert.deepEqual(await errorsOf(f), BAD[f], f);
});

test('scrape_config_files add jobs with the global defaults and paths relative to each file', async () => {
  const cfg = await loadConfigFile(join(testdata, 'scrape-config-files.good.yml'));
  assert.deepEqual(
    cfg.scrape_configs.map((s) => [s.job_name, s.scrape_interval, s.scrape_timeout]),
    [
      ['main', 15_000, 10_000],
      ['included', 30_000, 10_000],
      ['also-included', 15_000, 10_000],
    ],
  );
  assert.deepEqual(cfg.scrape_configs[1]!.file_sd_configs[0]!.files, [join(testdata, 'scrape-configs', 'targets', '*.json')]);
});

test('semantic problems are all reported together', () => {
  try {
    parseConfig(
      [
        'scrape_configs:',
        '  - job_name: api',
        '    static_configs:',
        "      - targets: ['http://localhost:3001/metrics']",
        '    relabel_configs:',
        '      - source_labels: [__address__]',
        "        regex: '(unclosed'",
        '        target_label: instance',
        '      - action: hashmod',
        '        source_labels: [__address__]',
        '        target_label: shard',
      ].join('\n'),
      'p.yml',
    );
    assert.fail('should not load');
  } catch (err) {
    assert.ok(err instanceof ConfigErrors);
    const msgs = err.errors.map((e) => e.message);
    assert.equal(msgs.length, 3);
    assert.match(msgs[0]!, /^p\.yml:4:19: scrape_configs\[0\]\.static_configs\[0\]\.targets\[0\]: "http:\/\/localhost:3001\/metrics" is not a valid hostname$/);
    assert.match(msgs[1]!, /^p\.yml:7:16: scrape_configs\[0\]\.relabel_configs\[0\]\.regex: error parsing regexp/);
    assert.match(msgs[2]!, /^p\.yml:9:9: scrape_configs\[0\]\.relabel_configs\[1\]: relabel configuration for hashmod requires non-zero modulus$/);
  }
});

test('check config prints promtool-style lines and exit codes', async () => {
  const lines: string[] = [];
  const code = await checkConfigFiles([join(testdata, 'full.good.yml'), join(testdata, 'unknown-key.bad.yml')], (l) => lines.push(l));
  assert.equal(code, 1);
  assert.ok(lines.some((l) => /SUCCESS: .*full\.good\.yml is valid prometheus config file syntax/.test(l)));
  assert.ok(lines.some((l) => /FAILED: 1 problem:/.test(l)));
});
