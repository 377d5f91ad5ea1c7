import assert from 'node:assert/strict';
import { runConformance } from '../conformance.ts';
import { discord } from './index.ts';

runConformance({
  factory: discord,
  config: (url) => ({ webhook_url: url, send_resolved: true, title: '{{ template "discord.default.title" . }}', message: 'Disk {{ template "x" . }}'.slice(0, 4) }),
  checkRequest(r) {
    assert.deepEqual(JSON.parse(r.body), { content: '', embeds: [{ title: '[FIRING:1] HighLatency (critical)', description: 'Disk', color: 0x992d22 }] });
  },
});
