import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappy';
import { writeRequestType } from '../../../packages/server/src/remote/index.ts';
import { rangeSamples } from './prom-api.ts';
import { freePort } from './process.ts';
import { startVigilProcess, type VigilProcess } from './vigil-process.ts';
import { rng } from '../../../packages/server/src/testutil/rng.ts';

/**
 * The storage's crash-safety check: remote-write batches flow into `vigil
 * start` from parallel writers, the process is SIGKILLed at a random moment,
 * started again on the same directory, and every sample whose request got a
 * 2xx must be there with its exact value. Repeated `cycles` times; writing
 * continues after each restart with later timestamps.
 */
export interface CrashLoopOptions {
  cycles: number;
  /** Series per writer; each batch carries one sample of each. */
  seriesPerWriter?: number;
  writers?: number;
  /** The kill comes uniformly between these delays after writing resumes (ms). */
  minDelayMs?: number;
  maxDelayMs?: number;
  seed?: number;
  /** More `vigil start` flags. */
  extraFlags?: string[];
  log?: (line: string) => void;
}

export interface CrashLoopResult {
  cycles: number;
  sent: number;
  acknowledged: number;
  verified: number;
  lost: number;
  /** Requests answered with a non-2xx status (not killed mid-request): a server fault, expected 0. */
  rejected: number;
  /** Start-to-ready time of the first start, on an empty directory (ms): the process's own start-up cost. */
  firstStartMs: number;
  /** Kills after which a head snapshot was on disk (the restart loaded it and replayed only the WAL after it). */
  snapshotAtKill: number;
  /** Start-to-ready times of each restart after a kill (ms). */
  restartMs: number[];
  lostExamples: string[];
}

export async function crashLoop(opts: CrashLoopOptions): Promise<CrashLoopResult> {
  const writers = opts.writers ?? 3;
  const perWriter = opts.seriesPerWriter ?? 40;
  const minDelay = opts.minDelayMs ?? 100;
  const maxDelay = opts.maxDelayMs ?? 1500;
  const random = rng(opts.seed ?? 1);
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, 'global:\n  scrape_interval: 1h\n');
  const type = writeRequestType();
  const port = await freePort();
  const start = () => startVigilProcess({ configFile, storagePath: join(dir, 'data'), port, extraFlags: ['--web.enable-remote-write-receiver', ...(opts.extraFlags ?? [])] });
  // series key → (t → value) of every acknowledged sample.
  const acked = new Map<string, Map<number, number>>();
  const base = Date.now() - 60_000;
  let batch = 0; // global batch counter: timestamps base + batch ms, strictly increasing per writer
  let sent = 0;
  const result: CrashLoopResult = { cycles: 0, sent: 0, acknowledged: 0, verified: 0, lost: 0, rejected: 0, firstStartMs: 0, snapshotAtKill: 0, restartMs: [], lostExamples: [] };
  let vigil: VigilProcess | undefined;
  try {
    const started = performance.now();
    vigil = await start();
    result.firstStartMs = performance.now() - started;
    for (let cycle = 0; cycle < opts.cycles; cycle++) {
      let stop = false;
      const url = `${vigil.url}/api/v1/write`;
      const writer = async (w: number) => {
        while (!stop) {
          const k = ++batch;
          const t = base + k;
          const timeseries = [];
          for (let i = 0; i < perWriter; i++) {
            const v = k * 1000 + w * 100 + i + 0.125;
            timeseries.push({ labels: [{ name: '__name__', value: 'crash_test' }, { name: 'series', value: `w${w}-${i}` }], samples: [{ value: v, timestamp: t }] });
          }
          const body = snappy.compressSync(Buffer.from(type.encode(type.create({ timeseries })).finish()));
          sent += perWriter;
          let ok = false;
          try {
            const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' }, body: new Uint8Array(body) });
            ok = r.status >= 200 && r.status < 300;
            const text = await r.text();
            if (!ok) {
              result.rejected++;
              log(`writer ${w}: HTTP ${r.status}: ${text.trim()}`);
            }
          } catch {
            ok = false; // killed mid-request: not acknowledged
          }
          if (!ok) return;
          for (const ts of timeseries) {
            const key = ts.labels[1]!.value;
            let m = acked.get(key);
            if (!m) acked.set(key, (m = new Map()));
            m.set(t, ts.samples[0]!.value);
          }
        }
      };
      const running = Array.from({ length: writers }, (_, w) => writer(w));
      const delay = minDelay + random() * (maxDelay - minDelay);
      await new Promise((r) => setTimeout(r, delay));
      vigil.proc.kill('SIGKILL');
      await vigil.exited;
      stop = true;
      await Promise.all(running);
      const snapshot = existsSync(join(dir, 'data', 'head.snapshot'));
      if (snapshot) result.snapshotAtKill++;
      const t0 = performance.now();
      vigil = await start();
      const restart = performance.now() - t0;
      result.restartMs.push(restart);
      // Verify every acknowledged sample so far.
      const got = await rangeSamples(vigil.url, 'crash_test[1h]', (base + batch + 1) / 1000);
      let verified = 0;
      let lost = 0;
      for (const [key, samples] of acked) {
        const series = got.get(`{__name__="crash_test",series=${JSON.stringify(key)}}`);
        for (const [t, v] of samples) {
          const have = series?.get(t / 1000);
          if (have !== undefined && Number(have) === v) verified++;
          else {
            lost++;
            if (result.lostExamples.length < 10) result.lostExamples.push(`cycle ${cycle + 1}: ${key} @${t}: want ${v}, have ${have ?? 'nothing'}`);
          }
        }
      }
      result.cycles = cycle + 1;
      result.verified = verified;
      result.lost += lost;
      log(`cycle ${cycle + 1}: killed after ${Math.round(delay)} ms; acknowledged so far ${verified + lost}, verified ${verified}, lost ${lost}; restart ${Math.round(restart)} ms${snapshot ? ' (from a head snapshot)' : ''}`);
    }
    let ackd = 0;
    for (const m of acked.values()) ackd += m.size;
    result.acknowledged = ackd;
    result.sent = sent;
    return result;
  } finally {
    await vigil?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
