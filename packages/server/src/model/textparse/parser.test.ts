import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpositionParseError, parseExposition } from './index.ts';

const flat = (r: ReturnType<typeof parseExposition>) =>
  r.samples.map((s) => `${s.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.value}${s.timestamp !== undefined ? ' @' + s.timestamp : ''}`);

test('text format 0.0.4: metadata, escapes, timestamps, special values', () => {
  const r = parseExposition(
    [
      '# HELP http_requests_total Total requests.\\nSecond line',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="GET",route="/a\\"b\\\\c"} 12 1700000000000',
      'http_requests_total{method="POST",route="/x",} 3',
      '# a free comment',
      'temp_celsius -1.5e2',
      'nan_gauge NaN',
      'inf_gauge +Inf',
      '',
    ].join('\n'),
    false,
  );
  assert.deepEqual(flat(r), [
    '__name__=http_requests_total,method=GET,route=/a"b\\c 12 @1700000000000',
    '__name__=http_requests_total,method=POST,route=/x 3',
    '__name__=temp_celsius -150',
    '__name__=nan_gauge NaN',
    '__name__=inf_gauge Infinity',
  ]);
  assert.deepEqual(r.metadata.get('http_requests_total'), { type: 'counter', help: 'Total requests.\nSecond line', unit: '' });
});

test('le and quantile label values are normalised as Prometheus 3 does', () => {
  const r = parseExposition(
    [
      '# TYPE d histogram',
      'd_bucket{le="1"} 1',
      'd_bucket{le="0.25"} 0',
      'd_bucket{le="+Inf"} 2',
      'd_bucket{le="1000000"} 2',
      '# TYPE s summary',
      's{quantile="1"} 3',
      '# TYPE g gauge',
      'g{le="1"} 1',
    ].join('\n'),
    false,
  );
  const les = r.samples.map((s) => s.labels.find((l) => l.name === 'le' || l.name === 'quantile')?.value);
  assert.deepEqual(les, ['1.0', '0.25', '+Inf', '1e+06', '1.0', '1']);
});

test('OpenMetrics: seconds timestamps, exemplars skipped, # EOF required', () => {
  const r = parseExposition(
    ['# TYPE c counter', '# UNIT c seconds', 'c_total 5 1700000000.5 # {trace_id="abc"} 1 1700000000', 'c_created 1700000000', '# EOF'].join('\n'),
    true,
  );
  assert.deepEqual(flat(r), ['__name__=c_total 5 @1700000000500', '__name__=c_created 1700000000']);
  assert.equal(r.metadata.get('c')!.unit, 'seconds');
  assert.throws(() => parseExposition('c_total 5\n', true), /missing # EOF/);
});

test('malformed bodies fail with line and byte offset', () => {
  const body = 'ok_metric 1\nbad_metric{a="1" 2\n';
  try {
    parseExposition(body, false);
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ExpositionParseError);
    assert.equal(err.line, 2);
    assert.equal(err.offset, 12 + 'bad_metric{a="1" '.length);
    assert.match(err.message, /expected ',' or '}' after label "a" at line 2, byte offset 29/);
  }
  assert.throws(() => parseExposition('m{a="1"} abc\n', false), /invalid value "abc" at line 1/);
  assert.throws(() => parseExposition('m 1 notatime\n', false), /invalid timestamp "notatime"/);
  assert.throws(() => parseExposition('# TYPE m weird\n', false), /invalid metric type "weird"/);
  assert.throws(() => parseExposition('m{a="1",a="2"} 1\n', false), /duplicate label name "a"/);
});

test('byte offsets count UTF-8 bytes; escapes and quoted names parse', () => {
  // "é" is two bytes: the offset of the bad value is in bytes, not characters.
  const body = 'm{a="é"} 1\nm{a="é"} x\n';
  assert.throws(() => parseExposition(body, false), /invalid value "x" at line 2, byte offset 22/);
  const r = parseExposition('{"my.metric", "a.b"="x\\"y", c="\\\\"} 1\nq{quantile="0.50"} 2\n', false);
  assert.deepEqual(flat(r), ['__name__=my.metric,a.b=x"y,c=\\ 1', '__name__=q,quantile=0.50 2']);
  // An unterminated value fails on its own line, not somewhere later in the body.
  assert.throws(() => parseExposition('m{a="x} 1\nn 2\n', false), /unterminated label value for "a" at line 1, byte offset 4/);
});
