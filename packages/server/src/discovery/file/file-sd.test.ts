import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@vigil/core';
import { FileDiscovery, staticGroups, type TargetGroup } from '../index.ts';

function waitFor(get: () => TargetGroup[] | undefined, pred: (g: TargetGroup[]) => boolean, ms = 5000): Promise<TargetGroup[]> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const g = get();
      if (g && pred(g)) return resolve(g);
      if (Date.now() > deadline) return reject(new Error(`timed out; last update ${JSON.stringify(g)}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

test('static_configs become one group per entry', () => {
  assert.deepEqual(staticGroups([{ targets: ['a:1', 'b:2'], labels: { env: 'x' } }]), [
    { source: '0', labels: { env: 'x' }, targets: [{ __address__: 'a:1' }, { __address__: 'b:2' }] },
  ]);
});

test('file_sd reads JSON and YAML, follows changes, and keeps the last good groups of a broken file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-filesd-'));
  const json = join(dir, 'a.json');
  const yml = join(dir, 'b.yml');
  writeFileSync(json, JSON.stringify([{ targets: ['h1:9100'], labels: { team: 'core' } }]));
  writeFileSync(yml, '- targets: [h2:9100, h3:9100]\n');
  let last: TargetGroup[] | undefined;
  const d = new FileDiscovery({ files: [join(dir, '*.json'), join(dir, '*.yml')], refresh_interval: 60_000 }, silentLogger(), (g) => (last = g));
  try {
    await d.start();
    assert.deepEqual(last, [
      { source: `${json}:0`, labels: { team: 'core', __meta_filepath: json }, targets: [{ __address__: 'h1:9100' }] },
      { source: `${yml}:0`, labels: { __meta_filepath: yml }, targets: [{ __address__: 'h2:9100' }, { __address__: 'h3:9100' }] },
    ]);
    // An atomic replace (write + rename, as config management does) is picked up by the watcher, long before refresh_interval.
    writeFileSync(join(dir, 'tmp'), JSON.stringify([{ targets: ['h1:9100', 'h9:9100'] }]));
    renameSync(join(dir, 'tmp'), json);
    await waitFor(() => last, (g) => g[0]!.targets.length === 2);
    // A broken file keeps its previous groups.
    writeFileSync(yml, '- targets: {not: a list}\n');
    await d.refresh();
    assert.equal(last!.find((g) => g.source.startsWith(yml))!.targets.length, 2);
    // A deleted file's targets go away.
    rmSync(yml);
    await d.refresh();
    assert.deepEqual(
      last!.map((g) => g.source),
      [`${json}:0`],
    );
  } finally {
    d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
