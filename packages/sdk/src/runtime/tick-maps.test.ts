import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldTickObject, holdTickObjectShape } from './tick-maps.ts';

test('holdTickObjectShape keeps one of Node\'s nextTick records, only before Node 24, once', () => {
  assert.equal(holdTickObjectShape('24.0.0'), false);
  assert.equal(heldTickObject(), undefined);
  assert.equal(holdTickObjectShape('20.20.2'), true);
  const record = heldTickObject() as Record<string | symbol, unknown>;
  // The shape Node queues: the callback, its arguments, two symbol-keyed async ids.
  assert.equal(typeof record.callback, 'function');
  assert.ok('args' in record);
  const ids = Object.getOwnPropertySymbols(record);
  assert.equal(ids.length, 2);
  for (const s of ids) assert.equal(typeof record[s], 'number');
  assert.equal(holdTickObjectShape('20.20.2'), true);
  assert.equal(heldTickObject(), record);
});
