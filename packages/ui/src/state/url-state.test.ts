import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoStep, formatDuration, formatState, parseState } from './url-state.ts';

test('state round-trips through the query string and leaves defaults out', () => {
  const s = { expr: 'sum by (route) (rate(http_requests_total[1m]))', range: 3600, end: 1763800000, step: 30, tab: 'table' as const };
  assert.deepEqual(parseState(formatState(s)), s);
  assert.equal(formatState({ expr: 'up', range: 900, end: undefined, step: undefined, tab: 'graph' }), '?expr=up');
});

test('bad values in a shared link fall back to defaults', () => {
  assert.deepEqual(parseState('?range=-5&end=abc&step=0&tab=pie'), { expr: '', range: 900, end: undefined, step: undefined, tab: 'graph' });
});

test('autoStep aims at about 250 points, at least one second', () => {
  assert.equal(autoStep(300), 1);
  assert.equal(autoStep(3600), 14);
  assert.equal(autoStep(86400), 346);
  assert.equal(autoStep(10), 1);
});

test('formatDuration', () => {
  assert.equal(formatDuration(90), '1m30s');
  assert.equal(formatDuration(86400), '1d');
  assert.equal(formatDuration(0), '0s');
});
