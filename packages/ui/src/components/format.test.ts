import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue } from './format.ts';

test('formatValue keeps 4 significant digits with SI suffixes', () => {
  assert.equal(formatValue(1234567), '1.235M');
  assert.equal(formatValue(0.15385333333), '0.1539');
  assert.equal(formatValue(2), '2');
  assert.equal(formatValue(1500), '1.5k');
  assert.equal(formatValue(-0.25), '-0.25');
  assert.equal(formatValue(0.00001234), '1.23e-5');
  assert.equal(formatValue(null), '–');
  assert.equal(formatValue(Infinity), '+Inf');
});
