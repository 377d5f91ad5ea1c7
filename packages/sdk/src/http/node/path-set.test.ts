import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathSet } from './path-set.ts';

test('PathSet answers like a Set for members, non-members of a member length, and lengths past 31 and 63', () => {
  const long = '/' + 'x'.repeat(70);
  const mid = '/' + 'y'.repeat(40);
  const s = new PathSet(['/metrics', '/livez', '', mid, long]);
  for (const p of ['/metrics', '/livez', '', mid, long]) assert.equal(s.has(p), true, p);
  // Built at run time, as a request's path is: not the same string object.
  for (const p of ['/metrics', '/livez']) assert.equal(s.has(p.split('').join('')), true, p);
  for (const p of ['/metricz', '/users/42', '/', '/' + 'y'.repeat(39) + 'z', '/' + 'x'.repeat(69) + 'z', '/' + 'x'.repeat(80)]) assert.equal(s.has(p), false, p);
});

test('an empty PathSet holds nothing', () => {
  const s = new PathSet([]);
  for (const p of ['', '/', '/metrics']) assert.equal(s.has(p), false);
});
