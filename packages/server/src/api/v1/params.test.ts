import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationParam, parseTimeParam } from './params.ts';
import { formatValue } from './format.ts';

test('parseTimeParam reads float seconds and RFC 3339 like Prometheus', () => {
  assert.equal(parseTimeParam('1435781451.781'), 1435781451781);
  assert.equal(parseTimeParam('1435781451'), 1435781451000);
  assert.equal(parseTimeParam('2015-07-01T20:10:51.781Z'), 1435781451781);
  assert.equal(parseTimeParam('0.0005'), 1);
  assert.throws(() => parseTimeParam('yesterday'), /cannot parse "yesterday" to a valid timestamp/);
  assert.throws(() => parseTimeParam(''), /cannot parse "" to a valid timestamp/);
});

test('parseDurationParam reads float seconds and Prometheus durations', () => {
  assert.equal(parseDurationParam('15'), 15000);
  assert.equal(parseDurationParam('0.5'), 500);
  assert.equal(parseDurationParam('1m30s'), 90000);
  assert.throws(() => parseDurationParam('1x'), /cannot parse "1x" to a valid duration/);
});

test('formatValue matches Go strconv.FormatFloat as Prometheus uses it', () => {
  assert.equal(formatValue(1), '1');
  assert.equal(formatValue(0.1), '0.1');
  assert.equal(formatValue(-2.5), '-2.5');
  assert.equal(formatValue(1e21), '1e+21');
  assert.equal(formatValue(1.5e-7), '1.5e-07');
  assert.equal(formatValue(123456789012345680000), '123456789012345680000');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(0), '0');
  assert.equal(formatValue(-0), '-0');
});

test('queryDataJSON writes the same bytes as JSON.stringify(queryData(…))', async () => {
  const { queryData, queryDataJSON } = await import('./format.ts');
  const metric = [
    { name: '__name__', value: 'm' },
    { name: 'path', value: '/a"b\\c\n' },
  ];
  const values = [
    { type: 'vector' as const, vector: [{ metric, t: 1500, v: 0.1 }, { metric: [], t: -1, v: NaN }] },
    { type: 'matrix' as const, matrix: [{ metric, ts: [0, 1001, 2e12], vs: [1e21, -Infinity, 1.5e-7] }] },
    { type: 'scalar' as const, t: 5, v: 2 },
    { type: 'string' as const, t: 5, s: 'x"y' },
  ];
  for (const v of values) assert.equal(queryDataJSON(v), JSON.stringify(queryData(v)));
});
