import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFormatG, humanize, humanize1024, humanizeDuration, humanizePercentage, reReplaceAll, TEMPLATE_FUNCS, KV, goTemplateData } from './funcs.ts';
import { templateData } from './data.ts';
import { fingerprint } from '../types.ts';

test('Go %.4g formatting', () => {
  assert.deepEqual([1234.5678, 0.0001234, 1e6, 123456789, 0.5, 100, -2.5e-7].map((v) => goFormatG(v)), ['1235', '0.0001234', '1e+06', '1.235e+08', '0.5', '100', '-2.5e-07']);
});

test('humanize family matches Prometheus', () => {
  assert.equal(humanize(1234567), '1.235M');
  assert.equal(humanize(0.00123), '1.23m');
  assert.equal(humanize(0), '0');
  assert.equal(humanize1024(1048576), '1Mi');
  assert.equal(humanize1024(1), '1');
  assert.equal(humanizeDuration(93784), '1d 2h 3m 4s');
  assert.equal(humanizeDuration(61), '1m 1s');
  assert.equal(humanizeDuration(1.5), '1.5s');
  assert.equal(humanizeDuration(0.012345), '12.35ms');
  assert.equal(humanizePercentage(0.1234), '12.34%');
});

test('string functions in Go argument order', () => {
  assert.equal(reReplaceAll('(\\w+)@(\\w+)', '${2}:$1', 'bob@host x@y'), 'host:bob y:x');
  assert.equal((TEMPLATE_FUNCS.join as (s: string, x: string[]) => string)(', ', ['a', 'b']), 'a, b');
  assert.equal((TEMPLATE_FUNCS.title as (s: string) => string)('hello big world'), 'Hello Big World');
  assert.equal((TEMPLATE_FUNCS.match as (p: string, s: string) => boolean)('^crit', 'critical'), true);
  assert.equal(String((TEMPLATE_FUNCS.safeHtml as (s: string) => unknown)('<b>')), '<b>');
});

test('Go-named data view: KV helpers and Alerts.Firing', () => {
  const kv = new KV({ b: '2', a: '1', c: '3' });
  assert.deepEqual(kv.Names(), ['a', 'b', 'c']);
  assert.deepEqual(kv.Remove(['b']).Values(), ['1', '3']);
  const now = Date.UTC(2024, 0, 1);
  const mk = (i: string, endsAt: number) => ({ labels: { alertname: 'X', i }, annotations: {}, startsAt: now - 1000, endsAt, generatorURL: '', updatedAt: now, timeout: false, fingerprint: fingerprint({ alertname: 'X', i }) });
  const d = goTemplateData(templateData('r', { alertname: 'X' }, [mk('1', 0), mk('2', now - 1)], 'http://am', now));
  assert.equal(d.Alerts.Firing().length, 1);
  assert.equal(d.Alerts.Resolved()[0]!.Labels.i, '2');
  assert.equal(d.CommonLabels.alertname, 'X');
  assert.equal(d.Status, 'firing');
});
