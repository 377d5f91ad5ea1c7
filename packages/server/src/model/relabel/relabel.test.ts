import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsFromObject, labelsToObject } from '@vigil/core';
import type { RelabelConfig } from '../../config/index.ts';
import { compileRelabel, relabel } from './index.ts';

function rule(r: Partial<RelabelConfig>): RelabelConfig {
  return { source_labels: [], separator: ';', regex: '(.*)', modulus: 0, target_label: '', replacement: '$1', action: 'replace', ...r };
}

function run(input: Record<string, string>, ...rules: Array<Partial<RelabelConfig>>): Record<string, string> | undefined {
  const out = relabel(labelsFromObject(input), compileRelabel(rules.map(rule)));
  return out && labelsToObject(out);
}

const abc = { a: 'foo', b: 'bar', c: 'baz' };

test('replace: anchored regex, capture groups, named groups, empty result deletes', () => {
  assert.deepEqual(run(abc, { source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' }), { ...abc, d: 'choo-choo' });
  // The regex is anchored: "o" alone does not match "foo".
  assert.deepEqual(run(abc, { source_labels: ['a'], regex: 'o', target_label: 'd' }), abc);
  assert.deepEqual(run(abc, { source_labels: ['a', 'b'], regex: 'f(.*);(.*)r', target_label: 'a', replacement: 'b${1}${2}m' }), { ...abc, a: 'boobam' });
  assert.deepEqual(run(abc, { source_labels: ['a'], regex: '(?P<first>f)(.*)', target_label: '${first}_x', replacement: '$2' }), { ...abc, f_x: 'oo' });
  assert.deepEqual(run(abc, { source_labels: ['missing'], regex: '(.*)', target_label: 'b', replacement: '$1' }), { a: 'foo', c: 'baz' });
  // "$1x" is the group named "1x" in Go's Expand (empty), not group 1 followed by x.
  assert.deepEqual(run(abc, { source_labels: ['a'], regex: '(f)oo', target_label: 'd', replacement: '$1x' }), abc);
  assert.deepEqual(run(abc, { source_labels: ['a'], target_label: 'd', replacement: '$$1' }), { ...abc, d: '$1' });
});

test('keep, drop, keepequal, dropequal', () => {
  assert.equal(run(abc, { source_labels: ['a'], regex: 'f.*', action: 'drop' }), undefined);
  assert.deepEqual(run(abc, { source_labels: ['a'], regex: 'b.*', action: 'drop' }), abc);
  assert.deepEqual(run(abc, { source_labels: ['a'], regex: 'f.*', action: 'keep' }), abc);
  assert.equal(run(abc, { source_labels: ['a'], regex: 'x.*', action: 'keep' }), undefined);
  // A missing label is the empty string, which keep with a matching regex accepts.
  assert.deepEqual(run(abc, { source_labels: ['z'], regex: '', action: 'keep' }), abc);
  assert.deepEqual(run({ a: 'x', b: 'x' }, { source_labels: ['a'], target_label: 'b', action: 'keepequal' }), { a: 'x', b: 'x' });
  assert.equal(run({ a: 'x', b: 'y' }, { source_labels: ['a'], target_label: 'b', action: 'keepequal' }), undefined);
  assert.equal(run({ a: 'x', b: 'x' }, { source_labels: ['a'], target_label: 'b', action: 'dropequal' }), undefined);
});

test('hashmod matches Prometheus (md5, low 8 bytes big-endian)', () => {
  // Value from Prometheus's relabel_test.go.
  assert.deepEqual(run(abc, { source_labels: ['c'], target_label: 'd', modulus: 1000, action: 'hashmod' }), { ...abc, d: '976' });
});

test('labelmap, labeldrop, labelkeep', () => {
  assert.deepEqual(run({ __meta_x_team: 'core', __meta_x_env: 'prod', a: '1' }, { regex: '__meta_x_(.+)', action: 'labelmap' }), {
    __meta_x_team: 'core',
    __meta_x_env: 'prod',
    a: '1',
    team: 'core',
    env: 'prod',
  });
  assert.deepEqual(run(abc, { regex: 'a|b', action: 'labeldrop' }), { c: 'baz' });
  assert.deepEqual(run(abc, { regex: 'a|b', action: 'labelkeep' }), { a: 'foo', b: 'bar' });
});

test('lowercase and uppercase; rules apply in order', () => {
  assert.deepEqual(run({ a: 'MiXeD' }, { source_labels: ['a'], target_label: 'l', action: 'lowercase' }), { a: 'MiXeD', l: 'mixed' });
  assert.deepEqual(run({ a: 'MiXeD' }, { source_labels: ['a'], target_label: 'a', action: 'uppercase' }), { a: 'MIXED' });
  assert.equal(
    run({ a: 'foo' }, { source_labels: ['a'], target_label: 'b', replacement: 'gone' }, { source_labels: ['b'], regex: 'gone', action: 'drop' }),
    undefined,
  );
});
