import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { silentLogger } from '@vigil/core';
import { conformanceAlerts } from '../conformance.ts';
import { NotifyError, type NotifyContext } from '../notifier.ts';
import { email } from './index.ts';

/** A real SMTP server on loopback that keeps every message it accepts. */
async function smtp(opts: { rejectWith?: number } = {}) {
  const got: Array<{ from: string; to: string[]; raw: string; user?: string }> = [];
  const srv = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _s, cb) {
      if (auth.username === 'bot' && auth.password === 'S3CR3T') cb(null, { user: 'bot' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d) => (raw += d));
      stream.on('end', () => {
        if (opts.rejectWith) {
          const e = new Error('mailbox unavailable') as Error & { responseCode: number };
          e.responseCode = opts.rejectWith;
          return cb(e);
        }
        got.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw, user: session.user as string | undefined });
        cb();
      });
    },
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.server.address() as { port: number }).port;
  return { got, port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

const now = Date.UTC(2024, 4, 1, 12);
const ctx = (): NotifyContext => ({
  signal: AbortSignal.timeout(5000), logger: silentLogger(), receiver: 'team', groupKey: '{}:{alertname="HighLatency"}',
  groupLabels: { alertname: 'HighLatency' }, repeatInterval: 3600_000, muteTimeIntervals: [], activeTimeIntervals: [], now,
});
const conf = (port: number, extra: Record<string, unknown> = {}) => ({
  to: 'oncall@example.org', from: 'vigil@example.org', smarthost: `127.0.0.1:${port}`, hello: 'vigil', require_tls: false,
  auth_username: 'bot', auth_password: 'S3CR3T', html: '{{ template "email.default.html" . }}', text: 'plain body', headers: { 'X-Team': 'db' },
  send_resolved: false, ...extra,
});

test('email: delivered through a real SMTP server on loopback', async () => {
  const s = await smtp();
  try {
    await email.create(conf(s.port), { logger: silentLogger(), externalURL: 'http://vigil.example' }).notify(ctx(), conformanceAlerts(now));
    assert.equal(s.got.length, 1);
    const m = s.got[0]!;
    assert.equal(m.from, 'vigil@example.org');
    assert.deepEqual(m.to, ['oncall@example.org']);
    assert.equal(m.user, 'bot');
    assert.match(m.raw, /^Subject: \[FIRING:1\] HighLatency \(critical\)\r?$/m);
    assert.match(m.raw, /^X-Team: db\r?$/m);
    assert.match(m.raw, /^To: oncall@example\.org\r?$/m);
    assert.match(m.raw, /plain body/);
    assert.match(m.raw, /Content-Type: text\/html/);
    assert.match(m.raw, /View in Alertmanager/);
  } finally {
    await s.close();
  }
});

test('email: permanent SMTP refusal is not retried; bad auth leaks no password', async () => {
  const s = await smtp({ rejectWith: 550 });
  try {
    await assert.rejects(email.create(conf(s.port), { logger: silentLogger(), externalURL: '' }).notify(ctx(), conformanceAlerts(now)), (e: unknown) => {
      assert.ok(e instanceof NotifyError);
      assert.equal(e.retryable, false);
      return true;
    });
    await assert.rejects(
      email.create(conf(s.port, { auth_password: 'wrong-S3CR3T-x' }), { logger: silentLogger(), externalURL: '' }).notify(ctx(), conformanceAlerts(now)),
      (e: unknown) => e instanceof NotifyError && !e.message.includes('wrong-S3CR3T-x'),
    );
  } finally {
    await s.close();
  }
});
