import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigErrors } from '@vigil/core';
import { checkConfigFiles, loadConfigFile, parseConfig } from './index.ts';

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
  for (const f of readdirSync(seeds).filter((f) => /prometheus\.yml$/.test(f))) {
    const cfg = await loadConfigFile(join(seeds, f));
    assert.ok(cfg.scrape_configs.length > 0, f);
    assert.equal(await checkConfigFiles([join(seeds, f)], () => {}), 0, f);
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

test('broken configurations fail with every problem pointed at file:line:col and key path', async () => {
  assert.deepEqual(await errorsOf('unknown-key.bad.yml'), ['unknown-key.bad.yml:5:5: scrape_configs[0].scrape_intervall: unknown key']);
  assert.deepEqual(await errorsOf('bad-duration.bad.yml'), ['bad-duration.bad.yml:2:20: global.scrape_interval: not a valid duration string: "15 seconds"']);
  assert.deepEqual(await errorsOf('timeout.bad.yml'), [
    'timeout.bad.yml:4:21: scrape_configs[0].scrape_timeout: scrape timeout greater than scrape interval for scrape config with job name "api"',
  ]);
  assert.deepEqual(await errorsOf('duplicate-job.bad.yml'), ['duplicate-job.bad.yml:5:15: scrape_configs[1].job_name: found multiple scrape configs with job name "api"']);
  assert.deepEqual(await errorsOf('many.bad.yml'), ['many.bad.yml:3:13: scrape_configs[0].scheme: unexpected value "ftp"']);
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
