import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAnchored, RegexSyntaxError } from './regex.ts';

// Expected answers follow Go's regexp (RE2) with Prometheus's full anchoring
// and 3.x dot-matches-newline; test/e2e/promql-differential.test.ts checks a
// larger pattern set against a real Prometheus.
const cases: [pattern: string, matches: string[], rejects: string[]][] = [
  ['foo', ['foo'], ['foobar', 'xfoo', '']],
  ['fo.', ['foo', 'fo\n'], ['fo', 'fooo']],
  ['a|b', ['a', 'b'], ['ab', '']],
  ['(?i)abc', ['ABC', 'aBc'], ['abcd']],
  ['a(?i)bc', ['aBC'], ['ABC']],
  ['x(?i:ab)y', ['xABy'], ['XABY']],
  ['a(?i)[a-c]x', ['aBX', 'acx'], ['Adx']],
  ['[[:alpha:]]+', ['abcXYZ'], ['ab1']],
  ['[[:^alpha:]]+', ['123-_'], ['a1']],
  ['[^[:digit:]]', ['x'], ['7']],
  ['\\pL+', ['héllo', 'Ωmega'], ['a1']],
  ['\\p{Greek}+', ['Ωμ'], ['abc']],
  ['\\PL', ['1'], ['a']],
  ['\\d+\\s\\w', ['12 a', '1\tb'], ['12\va', '１ a']],
  ['\\S+', ['ab'], ['a b', 'a\vb'.replace('\v', ' ')]],
  ['a{2,3}', ['aa', 'aaa'], ['a', 'aaaa']],
  ['a{,2}', ['a{,2}'], ['aa']],
  ['{', ['{'], ['']],
  ['a}', ['a}'], ['a']],
  ['\\Q.*\\E', ['.*'], ['ab']],
  ['\\x{41}\\x41\\101', ['AAA'], ['A']],
  ['\\012', ['\n'], ['12']],
  ['[]a]', [']', 'a'], ['b']],
  ['[^]a]', ['b'], [']', 'a']],
  ['\\.\\-\\/\\!', ['.-/!'], []],
  ['(?s:.)', ['\n'], ['']],
  ['(?P<name>a)b', ['ab'], ['a']],
  ['', [''], ['a']],
  ['.*', ['', 'anything\nat all'], []],
];

test('RE2 patterns match like Go, fully anchored', () => {
  for (const [p, yes, no] of cases) {
    const re = compileAnchored(p);
    for (const s of yes) assert.ok(re.test(s), `${p} should match ${JSON.stringify(s)}`);
    for (const s of no) assert.ok(!re.test(s), `${p} should not match ${JSON.stringify(s)}`);
  }
});

test('patterns RE2 rejects are rejected with Go-style messages', () => {
  const bad: [string, RegExp][] = [
    ['(ab', /missing closing \): `\(ab`/],
    ['ab)', /unexpected \)/],
    ['*a', /missing argument to repetition operator: `\*`/],
    ['a**', /invalid nested repetition operator: `\*\*`/],
    ['a{1001}', /invalid repeat count/],
    ['(a)\\1', /invalid escape sequence/],
    ['(?=a)', /invalid or unsupported Perl syntax/],
    ['(?<=a)b', /invalid or unsupported Perl syntax/],
    ['[a', /missing closing \]/],
    ['a\\', /trailing backslash/],
    ['[[:nope:]]', /invalid character class range/],
    ['\\x{110000}', /invalid escape sequence/],
    ['(?i:abc', /missing closing \)/],
  ];
  for (const [p, msg] of bad) {
    assert.throws(() => compileAnchored(p), (e: unknown) => e instanceof RegexSyntaxError && msg.test(e.message), p);
  }
});

test('a bare (?i) inside a group ends with the group', () => {
  const re = compileAnchored('((?i)PRO)d.*');
  assert.ok(re.test('production'));
  assert.ok(!re.test('proDuction'));
});

test('(?U) swaps greedy and lazy quantifiers', () => {
  assert.equal(compileAnchored('(?U)a+').source, '^(?:a+?)$');
  assert.equal(compileAnchored('(?U)a+?b{2}').source, '^(?:a+b{2}?)$');
  assert.ok(compileAnchored('(?U)a+').test('aaa'));
});

test('matchers use linear-time matching: a catastrophic pattern stays fast', async () => {
  const { Matcher } = await import('./matcher.ts');
  const m = new Matcher('=~', 'x', '(a+)+b');
  const t0 = performance.now();
  assert.equal(m.matches('a'.repeat(10_000) + '!'), false);
  assert.ok(performance.now() - t0 < 1000);
  assert.ok(new Matcher('=~', 'x', '(?i)ABC').matches('abc'));
  assert.ok(new Matcher('!~', 'x', 'fo.').matches('foo2'));
  assert.throws(() => new Matcher('=~', 'x', '(ab'), (e: unknown) => e instanceof RegexSyntaxError && e.message === 'error parsing regexp: missing closing ): `(ab`');
});
