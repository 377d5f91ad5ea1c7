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

test('plain decimal values read in place equal Number() of their text; other forms take the general path', () => {
  const values = ['0', '-0', '7', '-12', '1.', '.5', '-.25', '0.1', '0.3', '123456789012345', '1234567.89012345', '9007199254740993', '0.000000000000001', '00012.500', '1e3', '-1.5E-2', '+3', '12345678901234567890'];
  for (let k = 0; k < 2000; k++) values.push((Math.random() * 10 ** Math.floor(Math.random() * 16)).toFixed(Math.floor(Math.random() * 8)));
  const r = parseExposition(values.map((v, k) => `m{k="${k}"} ${v}`).join('\n') + '\n', false);
  for (let k = 0; k < values.length; k++) assert.ok(Object.is(r.samples[k]!.value, Number(values[k])), `${values[k]} read as ${r.samples[k]!.value}`);
  for (const bad of ['1.2.3', '-', '.', '1-2', '--1', '1e']) assert.throws(() => parseExposition(`m ${bad}\n`, false), /invalid value/, bad);
});

test('previousSeries: a sample at the same position as the same series text is that string, labels not decoded; anything else is parsed as usual', () => {
  const first = parseExposition('# TYPE a counter\na{x="1"} 1\na{x="2"} 2\nb 3\n', false);
  const previous = first.samples.map((s) => s.series);
  const known = new Set(previous);
  const opts = { previousSeries: previous, isKnownSeries: (s: string) => known.has(s) };
  // Same layout: every sample matched in place.
  const same = parseExposition('# TYPE a counter\na{x="1"} 10\na{x="2"}\t20 1700000000000\nb 30\n', false, opts);
  assert.deepEqual(same.samples.map((s) => [s.value, s.labels.length, s.timestamp]), [[10, 0, undefined], [20, 0, 1700000000000], [30, 0, undefined]]);
  for (let k = 0; k < 3; k++) assert.equal(same.samples[k]!.series, previous[k]);
  // A new series first shifts the others: they are known by text, the new one is decoded.
  const shifted = parseExposition('a{x="0"} 0\na{x="1"} 1\nb{y="1"} 4\nb 3\n', false, opts);
  assert.deepEqual(shifted.samples.map((s) => [s.series, s.labels.length, s.value]), [['a{x="0"}', 2, 0], ['a{x="1"}', 0, 1], ['b{y="1"}', 2, 4], ['b', 0, 3]]);
  // The previous text as a prefix of a longer name does not match; a bad value on a matched series still fails.
  const longer = parseExposition('a{x="1"} 1\na{x="2"} 2\nbc 5\n', false, { previousSeries: previous }).samples[2]!;
  assert.deepEqual([longer.series, longer.labels, longer.value], ['bc', [{ name: '__name__', value: 'bc' }], 5]);
  assert.throws(() => parseExposition('a{x="1"} 1\na{x="2"} two\n', false, opts), /invalid value "two" at line 2/);
});
