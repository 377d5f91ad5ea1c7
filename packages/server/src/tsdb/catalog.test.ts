import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsFromObject, Matcher } from '@vigil/core';
import { SeriesCatalog } from './catalog.ts';
import { hashLabels } from './intern.ts';

test('series whose label hashes collide stay distinct series, found by their own labels', () => {
  // Find a real collision of the 30-bit hash by the birthday bound (~2^15 tries).
  const seen = new Map<number, number>();
  let pair: [number, number] | undefined;
  for (let i = 0; i < 400_000 && !pair; i++) {
    const h = hashLabels(labelsFromObject({ __name__: 'm', i: String(i) }));
    const j = seen.get(h);
    if (j !== undefined) pair = [j, i];
    else seen.set(h, i);
  }
  assert.ok(pair, 'no collision found');
  const a = labelsFromObject({ __name__: 'm', i: String(pair[0]) });
  const b = labelsFromObject({ __name__: 'm', i: String(pair[1]) });
  assert.equal(hashLabels(a), hashLabels(b));
  const c = new SeriesCatalog();
  const sa = c.getOrCreate(a).series;
  const sb = c.getOrCreate(b).series;
  assert.notEqual(sa.id, sb.id);
  assert.equal(c.lookup(a), sa);
  assert.equal(c.lookup(b), sb);
  assert.equal(c.getOrCreate(b).created, false);
  c.remove(sa);
  assert.equal(c.lookup(a), undefined);
  assert.equal(c.lookup(b), sb);
  assert.deepEqual(c.select([new Matcher('=', '__name__', 'm')]), [sb.id]);
  c.compactIndex();
  assert.deepEqual(c.select([new Matcher('=~', 'i', `${pair[0]}|${pair[1]}`)]), [sb.id]);
});

test('postings: equality, literal alternations, prefixes, negations and empty-matching matchers', () => {
  const c = new SeriesCatalog();
  const ids = ['api', 'api-v2', 'web', 'db'].map((job, i) => c.getOrCreate(labelsFromObject({ __name__: 'up', job, ...(i % 2 ? { env: 'prod' } : {}) })).series.id);
  const sel = (...m: Matcher[]) => c.select(m);
  assert.deepEqual(sel(new Matcher('=', 'job', 'web')), [ids[2]]);
  assert.deepEqual(sel(new Matcher('=~', 'job', 'api|db')), [ids[0], ids[3]]);
  assert.deepEqual(sel(new Matcher('=~', 'job', 'api.*')), [ids[0], ids[1]]);
  assert.deepEqual(sel(new Matcher('=~', 'job', '(?i)WEB')), [ids[2]]);
  assert.deepEqual(sel(new Matcher('!=', 'job', 'web'), new Matcher('=', '__name__', 'up')), [ids[0], ids[1], ids[3]]);
  assert.deepEqual(sel(new Matcher('=', '__name__', 'up'), new Matcher('=', 'env', '')), [ids[0], ids[2]]);
  assert.deepEqual(sel(new Matcher('=', '__name__', 'up'), new Matcher('!~', 'env', '.+')), [ids[0], ids[2]]);
});
