// Allocation sampling inside a Vigil process, preloaded with
//   node --import ./bench/promotion-profile.mjs …
// (bench/scrape-compare.ts: --node-args "--import $PWD/bench/promotion-profile.mjs").
// After PROMOTION_START seconds (default 20) it samples allocations for
// PROMOTION_SECONDS (default 12) and writes the V8 heap profile to
// PROMOTION_OUT (default ./promotion.heapprofile). By default objects that
// died young (collected by a scavenge) are left out, so the profile shows
// what reached the old generation: the garbage that costs mark-compacts.
// PROMOTION_ALL=1 includes everything allocated. Summarise the file with
// `npx tsx bench/heapprofile-summary.ts FILE`.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
const start = Number(process.env.PROMOTION_START ?? 20) * 1000;
const seconds = Number(process.env.PROMOTION_SECONDS ?? 12) * 1000;
const out = process.env.PROMOTION_OUT ?? 'promotion.heapprofile';

setTimeout(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: process.env.PROMOTION_ALL === '1',
  });
  setTimeout(async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(out, JSON.stringify(profile));
    process.stderr.write(`allocation profile written to ${out}\n`);
  }, seconds).unref();
}, start).unref();
