import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandAlertTemplate } from './expand.ts';

const data = { labels: { instance: 'a:9100', job: 'node' }, externalLabels: { cluster: 'eu' }, externalURL: 'http://vigil.example:9090/prefix', value: 1234567 };
const ex = (text: string, query?: (q: string) => Promise<Array<{ Labels: Record<string, string>; Value: number }>>) => expandAlertTemplate('A', text, data, { query });

// Expected strings are Prometheus's outputs for the same templates (template_test.go and promtool runs).
test('template funcs: humanize family', async () => {
  assert.equal(await ex('{{ $value }}'), '1.234567e+06');
  assert.equal(await ex('{{ humanize $value }}|{{ humanize 1234 }}|{{ humanize 0.0012345 }}|{{ humanize 0 }}|{{ humanize "12345" }}'), '1.235M|1.234k|1.234m|0|12.35k');
  assert.equal(await ex('{{ humanize1024 1024 }}|{{ humanize1024 1048576 }}|{{ humanize1024 1.5 }}'), '1ki|1Mi|1.5');
  assert.equal(await ex('{{ humanizeDuration 0 }}|{{ humanizeDuration 1 }}|{{ humanizeDuration 60 }}|{{ humanizeDuration 3600 }}|{{ humanizeDuration 90061 }}|{{ humanizeDuration 0.1 }}|{{ humanizeDuration 0.00001 }}|{{ humanizeDuration 1.5 }}'), '0s|1s|1m 0s|1h 0m 0s|1d 1h 1m 1s|100ms|10us|1.5s');
  assert.equal(await ex('{{ humanizePercentage 0.1234 }}'), '12.34%');
  assert.equal(await ex('{{ humanizeTimestamp 1435065584.128 }}'), '2015-06-23 13:19:44.128 +0000 UTC');
});

test('template funcs: labels, strings, regexps, urls', async () => {
  assert.equal(await ex('{{ $labels.instance }} {{ $labels.nope }}|{{ $externalLabels.cluster }}|{{ $externalURL }}'), 'a:9100 |eu|http://vigil.example:9090/prefix');
  assert.equal(await ex('{{ toUpper "ab" }} {{ toLower "AB" }} {{ title "hello world" }}'), 'AB ab Hello World');
  assert.equal(await ex('{{ match "a.*" "xxab" }} {{ reReplaceAll "(a+)(b)" "$2-${1}" "aab" }}'), 'true b-aa');
  assert.equal(await ex('{{ pathPrefix }} {{ externalURL }} {{ parseDuration "1m30s" }}'), '/prefix http://vigil.example:9090/prefix 90');
  assert.equal(await ex('{{ define "x" }}[{{ .arg0 }}]{{ end }}{{ tmpl "x" (args 1 2) }}'), '[1]');
});

test('template funcs: query/first/value/label/sortByLabel', async () => {
  const q = async (e: string) => (e === 'up' ? [{ Labels: { job: 'b' }, Value: 1 }, { Labels: { job: 'a' }, Value: 0 }] : []);
  assert.equal(await ex('{{ query "up" | first | value }} {{ with query "up" }}{{ . | first | label "job" }}{{ end }}', q), '1 b');
  assert.equal(await ex('{{ range query "up" | sortByLabel "job" }}{{ .Labels.job }}={{ .Value }} {{ end }}', q), 'a=0 b=1 ');
  assert.match(await ex('{{ query "none" | first }}', q), /^<error expanding template: error executing template __alert_A: .*first\(\) called on vector with no elements>$/);
});

test('template funcs: errors are reported in the output, not thrown', async () => {
  const errs: Error[] = [];
  const out = await expandAlertTemplate('A', '{{ .Nope.x }', data, { onError: (e) => errs.push(e) });
  assert.match(out, /^<error expanding template: error parsing template __alert_A: template: __alert_A:1: /);
  assert.equal(errs.length, 1);
});
