// Crash safety, the storage issue's must-show: `vigil start` is SIGKILLed at a
// random moment during remote-write ingestion (3 parallel writers, 40 series
// each, one sample per series per request), 20 times; after every restart
// each sample whose request got a 2xx must be queryable with its exact value,
// and start-up must never fail on a torn WAL. Bounded: 20 cycles of at most
// 1.5 s of writing each, then it stops by itself.
//
//   npx tsx bench/tsdb-crash.ts [--cycles 20] [--seed 1]
import { crashLoop } from '../test/e2e/helpers/crash-loop.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

const r = await crashLoop({ cycles: arg('cycles', 20), seed: arg('seed', 1), log: (l) => console.log(l) });
const sorted = [...r.restartMs].sort((a, b) => a - b);
console.log(
  `\n${r.cycles} kills: ${r.sent.toLocaleString()} samples sent, ${r.acknowledged.toLocaleString()} acknowledged, ${r.verified.toLocaleString()} verified after the last restart, ${r.lost} lost, ${r.rejected} requests refused`,
);
console.log(`first start (empty directory) to ready: ${Math.round(r.firstStartMs)} ms`);
console.log(`restart to ready: min ${Math.round(sorted[0]!)} ms, median ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} ms, max ${Math.round(sorted[sorted.length - 1]!)} ms`);
if (r.lost > 0 || r.rejected > 0) {
  console.log(r.lostExamples.join('\n'));
  process.exitCode = 1;
}
