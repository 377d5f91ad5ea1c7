// Top allocation sites of a V8 sampling heap profile (.heapprofile, as
// written by bench/promotion-profile.mjs or DevTools): by function, then by
// the last five frames of the stack.
//   npx tsx bench/heapprofile-summary.ts FILE [--top 25]
import { readFileSync } from 'node:fs';

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: heapprofile-summary.ts FILE [--top N]');
const ti = process.argv.indexOf('--top');
const top = ti > 0 ? Number(process.argv[ti + 1]) : 25;
const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: Node };
const bySite = new Map<string, number>();
const byStack = new Map<string, number>();
let total = 0;
const walk = (n: Node, stack: string[]): void => {
  const fn = n.callFrame.functionName || '(anonymous)';
  const path = [...stack, fn];
  if (n.selfSize > 0) {
    total += n.selfSize;
    const site = `${fn} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
    const k = path.slice(-5).join(' < ');
    byStack.set(k, (byStack.get(k) ?? 0) + n.selfSize);
  }
  for (const c of n.children) walk(c, path);
};
walk(profile.head, []);
const print = (m: Map<string, number>) => {
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / total).toFixed(1).padStart(6)}%  ${(v / 1e6).toFixed(1).padStart(7)} MB  ${k}`);
};
console.log(`${(total / 1e6).toFixed(1)} MB sampled\n\nby allocation site:`);
print(bySite);
console.log('\nby stack (outermost first):');
print(byStack);
