import assert from 'node:assert/strict';
import { runConformance, SECRET } from '../conformance.ts';
import { telegram } from './index.ts';

runConformance({
  factory: telegram,
  config: (url) => ({ api_url: new URL(url).origin, bot_token: SECRET, chat_id: -1001, send_resolved: true, message: 'hello', parse_mode: 'HTML', disable_notifications: false }),
  checkRequest(r) {
    assert.equal(r.path, `/bot${SECRET}/sendMessage`);
    assert.deepEqual(JSON.parse(r.body), { chat_id: -1001, text: 'hello', parse_mode: 'HTML', disable_notification: false });
  },
});
