import { test } from 'node:test';
import assert from 'node:assert/strict';
import { complete, wordAt } from './completions.ts';

const METRICS = ['http_requests_total', 'http_request_duration_seconds_bucket', 'up', 'process_cpu_seconds_total'];

test('wordAt finds the identifier before the cursor, colons included', () => {
  assert.deepEqual(wordAt('sum(rate(http_req', 17), { from: 9, word: 'http_req' });
  assert.deepEqual(wordAt('job:up:sum', 10), { from: 0, word: 'job:up:sum' });
  assert.deepEqual(wordAt('sum(', 4), { from: 4, word: '' });
});

test('complete offers metrics by prefix before substring matches, then functions', () => {
  const { from, items } = complete('sum(rate(http_req', 17, METRICS);
  assert.equal(from, 9);
  assert.deepEqual(
    items.map((i) => i.label),
    ['http_requests_total', 'http_request_duration_seconds_bucket'],
  );
  assert.deepEqual(
    complete('ra', 2, METRICS).items.map((i) => i.label),
    ['rate', 'http_request_duration_seconds_bucket', 'irate', 'histogram_quantile'],
  );
  assert.deepEqual(
    complete('seconds', 7, METRICS).items.map((i) => i.label),
    ['http_request_duration_seconds_bucket', 'process_cpu_seconds_total'],
  );
});

test('complete stays quiet inside matchers, strings and ranges, and for one letter', () => {
  assert.equal(complete('up{job="ht', 10, METRICS).items.length, 0);
  assert.equal(complete('up{jo', 5, METRICS).items.length, 0);
  assert.equal(complete('rate(up[1m', 10, METRICS).items.length, 0);
  assert.equal(complete('h', 1, METRICS).items.length, 0);
  // After a closed matcher list the next word completes again.
  assert.deepEqual(complete('up{job="x"} + http_requests_t', 29, METRICS).items.map((i) => i.label), ['http_requests_total']);
});
