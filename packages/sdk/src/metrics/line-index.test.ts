import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from './line-index.ts';

const sum = { start: (v: number) => v, add: (acc: number, v: number) => acc + v };

/** Every line of every index, with its combined value and count. */
function contents(index: LineIndex): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  for (let k = 0; k < index.size; k++) out.push([index.line(k), index.value(k), index.count(k)]);
  return out;
}

test('lines seen again combine into their series, in the order first seen', () => {
  const index = new LineIndex();
  index.addBlock('a{x="1"}\nb\na{x="2"}', [1, 2, 3], sum.start, sum.add);
  index.addBlock('a{x="2"}\nc\na{x="1"}\nb', [10, 20, 30, 40], sum.start, sum.add);
  assert.deepEqual(contents(index), [
    ['a{x="1"}', 31, 2],
    ['b', 42, 2],
    ['a{x="2"}', 13, 2],
    ['c', 20, 1],
  ]);
});

test('lines with the same hash stay apart (every line collides)', () => {
  const index = new LineIndex(() => 7);
  const lines = Array.from({ length: 3000 }, (_, i) => `m{id="${i}"}`);
  index.addBlock(lines.join('\n'), lines.map(() => 1), sum.start, sum.add);
  // The same lines in reverse, plus ones that share a prefix or a length.
  const again = [...lines].reverse().concat(['m{id="1"}x', 'm{id="9999"}', 'm{id="0"']);
  index.addBlock(again.join('\n'), again.map(() => 2), sum.start, sum.add);
  assert.equal(index.size, 3003);
  for (let k = 0; k < 3000; k++) assert.deepEqual([index.line(k), index.value(k), index.count(k)], [lines[k], 3, 2]);
  assert.deepEqual(contents(index).slice(3000), [
    ['m{id="1"}x', 2, 1],
    ['m{id="9999"}', 2, 1],
    ['m{id="0"', 2, 1],
  ]);
});

test('empty lines and non-ASCII label values are lines like any other', () => {
  const index = new LineIndex();
  index.addBlock('m{p="ü"}\n\nm{p="u"}', [1, 2, 3], sum.start, sum.add);
  index.addBlock('\nm{p="ü"}', [5, 7], sum.start, sum.add);
  assert.deepEqual(contents(index), [
    ['m{p="ü"}', 8, 2],
    ['', 7, 2],
    ['m{p="u"}', 3, 1],
  ]);
});
