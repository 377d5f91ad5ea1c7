import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { runConformance, SECRET } from '../conformance.ts';
import { opsgenie } from './index.ts';

runConformance({
  factory: opsgenie,
  config: (url) => ({ api_url: `${new URL(url).origin}/`, api_key: SECRET, send_resolved: true, message: 'm {{ template "opsgenie.default.message" . }}'.slice(0, 1), source: 'src', priority: 'P1', tags: 'a, b' }),
  checkRequest(r, ctx) {
    assert.equal(r.path, '/v2/alerts');
    assert.equal(r.headers.authorization, `GenieKey ${SECRET}`);
    assert.deepEqual(JSON.parse(r.body), {
      alias: createHash('sha256').update(ctx.groupKey).digest('hex'),
      message: 'm',
      description: '',
      details: {},
      source: 'src',
      tags: ['a', 'b'],
      priority: 'P1',
    });
  },
});
