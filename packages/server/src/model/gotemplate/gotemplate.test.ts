import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parseTemplate, SafeHTML, sprintf, formatFloat, Template, TemplateParseError, TemplateExecError } from './index.ts';

const DEFAULT_TMPL = '/usr/share/prometheus/alertmanager/default.tmpl';

const run = (text: string, data: unknown = {}, funcs = {}) => parseTemplate('t', text, funcs).execute(data);

test('gotemplate: fields, variables, pipelines', () => {
  assert.equal(run('hello {{ .name }}!', { name: 'x' }), 'hello x!');
  assert.equal(run('{{ $x := .a }}{{ $x.b }}', { a: { b: 'B' } }), 'B');
  assert.equal(run('{{ "a" | printf "%s-%s" "b" }}'), 'b-a');
  assert.equal(run('{{ (.f 2).x }}', { f: (n: number) => ({ x: n * 3 }) }), '6');
  assert.equal(run('{{ .labels.nope }}|{{ index .labels "a" }}|{{ len .labels }}', { labels: { a: 'A' } }), '|A|1');
  assert.equal(run('{{ .v }}', { v: new Map([['b', 1], ['a', 2]]) }), 'map[a:2 b:1]');
  assert.equal(run('{{ .missing }}', {}), '');
  assert.equal(parseTemplate('t', '{{ .missing }}', {}, { missingKey: 'novalue' }).execute({}), '<no value>');
  assert.equal(run('{{ . }}', null), '<no value>');
});

test('gotemplate: control flow and trim markers', () => {
  const t = '{{ if gt .v 1.0 }}big{{ else if eq .v 1.0 }}one{{ else }}small{{ end }}';
  assert.equal(run(t, { v: 2 }), 'big');
  assert.equal(run(t, { v: 1 }), 'one');
  assert.equal(run(t, { v: 0 }), 'small');
  assert.equal(run('{{- /* c */ -}}  a  {{- .x -}}  b', { x: 'X' }), 'aXb');
  assert.equal(run('{{ range $i, $e := .a }}{{ $i }}={{ $e }} {{ end }}', { a: [1, 2.5, 1e6] }), '0=1 1=2.5 2=1e+06 ');
  assert.equal(run('{{ range $k, $v := . }}{{ $k }}{{ $v }}{{ end }}', { b: 2, a: 1 }), 'a1b2');
  assert.equal(run('{{ range .a }}x{{ else }}empty{{ end }}', { a: [] }), 'empty');
  assert.equal(run('{{ $x := 1 }}{{ range .a }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ $x = . }}{{ end }}{{ $x }}', { a: [1, 2, 3] }), '1');
  assert.equal(run('{{ range .a }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ . }}{{ end }}', { a: [1, 2, 3] }), '13');
  assert.equal(run('{{ with .a }}{{ .b }}{{ else }}none{{ end }}', { a: { b: 'in' } }), 'in');
  assert.equal(run('{{ with .a }}{{ .b }}{{ else }}none{{ end }}', {}), 'none');
  assert.equal(run('{{ define "t2" }}[{{ . }}]{{ end }}{{ template "t2" .x }}{{ block "b" . }}B{{ .x }}{{ end }}', { x: 5 }), '[5]B5');
});

test('gotemplate: builtins', () => {
  assert.equal(run('{{ and 1 0 }} {{ or 0 "" "z" }} {{ not true }} {{ slice "hello" 1 3 }}'), '0 z false el');
  assert.equal(run('{{ print 1 2 "x" 3 }}|{{ println "a" 1 }}'), '1 2x3|a 1\n');
  assert.equal(run(`{{ html "<a href='x'>" }} {{ js "it's" }} {{ urlquery "a b&c" }}`), '&lt;a href=&#39;x&#39;&gt; it\\\'s a+b%26c');
  assert.equal(run('{{ eq .s "a" "b" }} {{ ne 1.0 2.0 }} {{ le 2.0 2.0 }} {{ ge "a" "b" }}', { s: 'b' }), 'true true true false');
  assert.throws(() => run('{{ eq 1.0 "1" }}'), /incompatible types for comparison/);
  // `and` short-circuits: the failing call is never made.
  assert.equal(run('{{ and false (.boom) }}', { boom: () => { throw new Error('no'); } }), 'false');
});

test('gotemplate: printf and Go value printing', () => {
  assert.equal(sprintf('%.2f|%d|%s|%q|%v|%5s|%-5s|%x|%05d|%e|%g', [3.14159, 42, 's', 'q', { b: 1, a: [1, 'x'] }, 'ab', 'cd', 255, 42, 1234.5, 1e-7]), '3.14|42|s|"q"|map[a:[1 x] b:1]|   ab|cd   |ff|00042|1.234500e+03|1e-07');
  assert.equal(sprintf('%d %s', [1.5]), '%!d(float64=1.5) %!s(MISSING)');
  assert.equal(sprintf('%s', ['a', 2]), 'a%!(EXTRA float64=2)');
  assert.equal(formatFloat(1234567), '1.234567e+06');
  assert.equal(formatFloat(123456), '123456');
  assert.equal(formatFloat(0.0001), '0.0001');
  assert.equal(formatFloat(0.00001), '1e-05');
  assert.equal(formatFloat(Infinity), '+Inf');
});

test('gotemplate: html escaping mode keeps SafeHTML', () => {
  const t = parseTemplate('h', '<b>{{ .x }}</b>{{ .y }}', {}, { html: true });
  assert.equal(t.execute({ x: '<script>', y: new SafeHTML('<i>ok</i>') }), '<b>&lt;script&gt;</b><i>ok</i>');
});

test('gotemplate: parse and exec errors in Go wording', () => {
  assert.throws(() => run('{{ nope }}'), (e: unknown) => e instanceof TemplateParseError && e.message === 'template: t:1: function "nope" not defined');
  assert.throws(() => run('a\n{{ if }}'), /template: t:2: missing value for if/);
  assert.throws(() => run('{{ .x '), /template: t:1: unclosed action/);
  assert.throws(() => run('{{ if .x }}'), /unexpected EOF/);
  assert.throws(() => run('{{ $y }}'), /undefined variable "\$y"/);
  assert.throws(() => run('{{ template "zz" }}'), (e: unknown) => e instanceof TemplateExecError && /template "zz" not defined/.test(e.message));
});

test('gotemplate: async functions need executeAsync', async () => {
  const funcs = { q: async (s: string) => s.toUpperCase() };
  const t = parseTemplate('a', '{{ q "x" }}{{ range (q "ab" | printf "%s") }}{{ end }}', funcs);
  assert.throws(() => t.execute({}), /executeAsync/);
  assert.equal(await parseTemplate('a', '{{ q "x" }}-{{ "y" | q }}', funcs).executeAsync({}), 'X-Y');
});

test('gotemplate: Alertmanager default.tmpl parses and renders (Debian copy)', { skip: !existsSync(DEFAULT_TMPL) && 'alertmanager default.tmpl not installed' }, () => {
  const funcs = {
    toUpper: (s: string) => s.toUpperCase(),
    join: (sep: string, xs: string[]) => xs.join(sep),
    safeHtml: (s: string) => new SafeHTML(s),
    reReplaceAll: (p: string, r: string, t: string) => t.replace(new RegExp(p, 'g'), r),
    trimSpace: (s: string) => s.trim(),
  };
  const t = new Template('am', funcs).parse(readFileSync(DEFAULT_TMPL, 'utf8'), 'default.tmpl');
  // Alertmanager's KV and Alerts types expose methods; here they are plain functions on the data.
  const pairs = (o: Record<string, string>) => Object.assign(Object.keys(o).sort().map((k) => ({ Name: k, Value: o[k] })), { Values: () => Object.keys(o).sort().map((k) => o[k]) });
  const kv = (o: Record<string, string>): Record<string, unknown> =>
    Object.assign({ ...o }, { SortedPairs: () => pairs(o), Values: () => pairs(o).Values(), Names: () => Object.keys(o).sort(), Remove: (ks: string[]) => kv(Object.fromEntries(Object.entries(o).filter(([k]) => !ks.includes(k)))) });
  const alert = { Status: 'firing', Labels: kv({ alertname: 'HighErrorRate', job: 'api' }), Annotations: kv({ summary: 'High' }), GeneratorURL: 'http://g' };
  const data = {
    Receiver: 'hook',
    Status: 'firing',
    Alerts: Object.assign([alert], { Firing: () => [alert], Resolved: () => [] }),
    GroupLabels: kv({ alertname: 'HighErrorRate' }),
    CommonLabels: kv({ alertname: 'HighErrorRate', job: 'api' }),
    CommonAnnotations: kv({ summary: 'High' }),
    ExternalURL: 'http://am',
  };
  assert.equal(t.execute(data, '__subject'), '[FIRING:1] HighErrorRate (api)');
  assert.match(t.execute(data.Alerts, '__text_alert_list'), /Labels:\n - alertname = HighErrorRate\n - job = api\nAnnotations:\n - summary = High\nSource: http:\/\/g\n/);
});
