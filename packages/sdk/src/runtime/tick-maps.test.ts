import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldTickObject, holdTickObjectShape } from './tick-maps.ts';

test("holdTickObjectShape keeps one of Node's nextTick records, once", () => {
  assert.equal(holdTickObjectShape(), true);
  const record = heldTickObject() as Record<string | symbol, unknown>;
  // The shape Node queues: the callback, its arguments, symbol-keyed async
  // ids (and, from Node 22, the async context frame).
  assert.equal(typeof record.callback, 'function');
  assert.ok('args' in record);
  const ids = Object.getOwnPropertySymbols(record);
  assert.ok(ids.length >= 2, `symbol fields: ${ids.map(String).join(', ')}`);
  const names = ids.map((s) => s.description);
  assert.ok(names.includes('async_id_symbol') && names.includes('trigger_async_id_symbol'), names.join(', '));
  assert.equal(holdTickObjectShape(), true);
  assert.equal(heldTickObject(), record);
});
