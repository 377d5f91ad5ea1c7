// Crash safety of the storage (a must-show of the storage issue, small
// version; bench/tsdb-crash.ts runs 20 cycles): vigil start is SIGKILLed at
// random moments while remote-write batches flow in; after each restart every
// sample whose write got a 2xx must be queryable with its exact value, and
// start-up must never fail on a torn WAL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crashLoop } from './helpers/crash-loop.ts';

test('kill -9 during remote-write ingestion, 5 times: no acknowledged sample lost, every restart succeeds', { timeout: 240_000 }, async (t) => {
  const r = await crashLoop({ cycles: 5, seed: 7, log: (l) => t.diagnostic(l) });
  assert.equal(r.cycles, 5);
  assert.ok(r.acknowledged > 500, `only ${r.acknowledged} samples were acknowledged; the test needs traffic at kill time`);
  assert.equal(r.lost, 0, `lost acknowledged samples:\n${r.lostExamples.join('\n')}`);
  assert.equal(r.verified, r.acknowledged);
  assert.equal(r.restartMs.length, 5, 'every restart reached ready');
  assert.equal(r.rejected, 0, 'no write was refused');
});

test('kill -9 with running head snapshots (a tiny threshold, so kills land before, during and after snapshot writes): no acknowledged sample lost', { timeout: 240_000 }, async (t) => {
  const r = await crashLoop({ cycles: 5, seed: 11, extraFlags: ['--storage.tsdb.head-snapshot-wal-size=32KB'], log: (l) => t.diagnostic(l) });
  assert.equal(r.cycles, 5);
  assert.ok(r.acknowledged > 500, `only ${r.acknowledged} samples were acknowledged; the test needs traffic at kill time`);
  assert.equal(r.lost, 0, `lost acknowledged samples:\n${r.lostExamples.join('\n')}`);
  assert.equal(r.verified, r.acknowledged);
  assert.equal(r.restartMs.length, 5, 'every restart reached ready');
  assert.ok(r.snapshotAtKill >= 3, `a head snapshot was on disk at only ${r.snapshotAtKill} of 5 kills`);
  assert.equal(r.rejected, 0, 'no write was refused');
});
