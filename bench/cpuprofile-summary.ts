// Summarises V8 CPU profiles (`node --cpu-prof`): the functions with the most
// self time, and self time grouped by source file, as shares of all samples.
//
// `--skip S` leaves out the first S seconds of each profile (start-up and
// first scrapes, when every series is new) to look at the steady state.
//
//   npx tsx bench/cpuprofile-summary.ts PROFILE.cpuprofile [...] [--top 30] [--skip 10]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

const flag = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const TOP = flag('top', 30);
const SKIP_US = flag('skip', 0) * 1e6;
const files = process.argv.slice(2).filter((a) => a.endsWith('.cpuprofile'));
if (files.length === 0) {
  console.error('usage: npx tsx bench/cpuprofile-summary.ts PROFILE.cpuprofile [...] [--top 30]');
  process.exit(2);
}

/** Shortens a script URL to the part a reader recognises (packages/…, node_modules/…, node:…). */
function shortUrl(url: string): string {
  if (!url) return '(native)';
  const m = /(packages\/.*|node_modules\/.*|node:.*)$/.exec(url.replace(/^file:\/\//, ''));
  return m ? m[1]! : url;
}

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
let idle = 0;
let wall = 0;
for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  wall += Math.max(0, p.endTime - p.startTime - SKIP_US) / 1e6;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node: the time delta after each sample (V8 attributes it to the sampled node).
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  let at = p.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (at - p.startTime < SKIP_US) continue;
    const dt = (deltas[i + 1] ?? 0) / 1000; // ms
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + dt);
  }
  for (const [id, ms] of self) {
    const n = nodes.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    total += ms;
    if (name === '(idle)') {
      idle += ms;
      continue;
    }
    const where = shortUrl(n.callFrame.url);
    const key = `${name}  ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    byFile.set(where, (byFile.get(where) ?? 0) + ms);
  }
}

const busy = total - idle;
const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)}%`;
console.log(`${files.length} profile(s), ${wall.toFixed(1)} s wall, ${(busy / 1000).toFixed(1)} s busy (${((100 * busy) / total).toFixed(0)}% of sampled time; shares below are of busy time)\n`);
console.log(`top ${TOP} functions by self time:`);
for (const [k, ms] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}`);
console.log('\nself time by file:');
for (const [k, ms] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}`);
