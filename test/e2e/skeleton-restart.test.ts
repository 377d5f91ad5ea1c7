// Must-show 4 of the walking skeleton: what `vigil start` scraped before a
// clean stop (SIGTERM) and before a crash (SIGKILL) is still queryable after
// it starts again on the same storage directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instant, rangeSamples } from './helpers/prom-api.ts';
import { freePort, waitFor } from './helpers/process.ts';
import { startVigilProcess, type VigilProcess } from './helpers/vigil-process.ts';

// Every series Vigil scrapes from itself, plus the synthetic `up`/`scrape_*` ones.
const SELECTOR = '{job="self"}[1h]';

type Snapshot = Map<string, Map<number, string>>;

function countSamples(s: Snapshot): number {
  let n = 0;
  for (const v of s.values()) n += v.size;
  return n;
}

/** Every sample of `before` must be in `after` with the same value. */
function assertKept(before: Snapshot, after: Snapshot, when: string): void {
  const missing: string[] = [];
  for (const [series, samples] of before) {
    const now = after.get(series);
    for (const [t, v] of samples) {
      if (now?.get(t) !== v) missing.push(`${series} @${t}: had ${v}, now ${now ? (now.get(t) ?? 'nothing') : 'no series'}`);
    }
  }
  assert.equal(missing.length, 0, `${missing.length} of ${countSamples(before)} samples lost ${when}, e.g.:\n${missing.slice(0, 10).join('\n')}`);
}

test('samples survive a clean stop and a kill -9 of vigil start', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-restart-'));
  const port = await freePort();
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: self', '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, ''].join('\n'),
  );
  const opts = { configFile, storagePath: join(dir, 'data'), port };
  let vigil: VigilProcess | undefined;
  try {
    vigil = await startVigilProcess(opts);
    const base = vigil.url;
    // Enough scrapes that a partial replay could not pass by accident.
    const first = await waitFor(
      async () => {
        const s = await rangeSamples(base, SELECTOR);
        return (s.get(`{__name__="up",instance="127.0.0.1:${port}",job="self"}`)?.size ?? 0) >= 4 ? s : undefined;
      },
      30_000,
      'four scrapes of itself',
    );
    assert.ok(first.size > 10, `expected Vigil's own metrics as well as up, got ${first.size} series`);

    assert.equal(await vigil.stop('SIGTERM'), 0, `clean stop exit code; output:\n${vigil.output().slice(-3000)}`);
    vigil = await startVigilProcess(opts);
    const afterClean = await rangeSamples(base, SELECTOR);
    assertKept(first, afterClean, 'across SIGTERM and restart');

    // Scrape some more after the restart, then crash: the samples the API
    // returned right before the kill were committed, so they must come back.
    const beforeCount = countSamples(afterClean);
    const second = await waitFor(
      async () => {
        const s = await rangeSamples(base, SELECTOR);
        const upKey = [...s.keys()].find((k) => k.startsWith('{__name__="up"'));
        return upKey !== undefined && s.get(upKey)!.size >= first.get(upKey)!.size + 3 && countSamples(s) > beforeCount ? s : undefined;
      },
      30_000,
      'three more scrapes after the restart',
    );
    assert.equal(await vigil.stop('SIGKILL'), 'SIGKILL');
    vigil = await startVigilProcess(opts);
    const afterKill = await rangeSamples(base, SELECTOR);
    assertKept(second, afterKill, 'across kill -9 and restart');

    // And it carries on scraping into the same series.
    const upKey = [...second.keys()].find((k) => k.startsWith('{__name__="up"'))!;
    await waitFor(async () => (await rangeSamples(base, SELECTOR)).get(upKey)!.size > second.get(upKey)!.size, 15_000, 'a new scrape after the crash');
    const up = await instant<{ result: Array<{ value: [number, string] }> }>(base, 'up{job="self"}');
    assert.equal(up.result[0]?.value[1], '1');
  } finally {
    await vigil?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
