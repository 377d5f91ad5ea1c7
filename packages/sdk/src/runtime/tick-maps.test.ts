import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldTickObject, holdTickObjectShape } from './tick-maps.ts';

test("holdTickObjectShape keeps one of Node's nextTick records, once", async () => {
  holdTickObjectShape();
  await new Promise((r) => setImmediate(r));
  const record = heldTickObject() as Record<string | symbol, unknown>;
  // The shape Node queues: the callback, its arguments, symbol-keyed async
  // ids (and, from Node 22, the async context frame).
  assert.equal(typeof record.callback, 'function');
  assert.ok('args' in record);
  const ids = Object.getOwnPropertySymbols(record);
  assert.ok(ids.length >= 2, `symbol fields: ${ids.map(String).join(', ')}`);
  const names = ids.map((s) => s.description);
  assert.ok(names.includes('async_id_symbol') && names.includes('trigger_async_id_symbol'), names.join(', '));
  holdTickObjectShape();
  await new Promise((r) => setImmediate(r));
  assert.equal(heldTickObject(), record);
});

test("vigil() and an instrumented Fastify app serving requests leave V8's PromiseHook protector intact", async () => {
  // Once any async_hooks hook is enabled, even for one call, V8 invalidates
  // the protector for good and optimised code stops inlining promise
  // operations; --trace-protector-invalidation prints each invalidation.
  const { execFileSync } = await import('node:child_process');
  const sdk = new URL('../index.ts', import.meta.url).href;
  const script = `
    const { vigil, instrumentFastify } = await import(${JSON.stringify(sdk)});
    const { default: Fastify } = await import('fastify');
    const obs = vigil({ service: 't', logger: { level: 'silent' } });
    const app = Fastify();
    instrumentFastify(app, obs);
    app.get('/users/:id', async (req) => ({ id: req.params.id }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    for (let i = 0; i < 20; i++) await (await fetch('http://127.0.0.1:' + app.server.address().port + '/users/' + i)).text();
    await app.close();
    obs.close();
    console.log('served, context ' + obs.requestContext);
  `;
  const out = execFileSync(process.execPath, ['--trace-protector-invalidation', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
  assert.match(out, /served, context/);
  assert.doesNotMatch(out, /protector cell PromiseHook/, out);
});
