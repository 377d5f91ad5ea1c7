import type { FastifyInstance } from 'fastify';
import snappy from 'snappy';
import { sortLabels, type Label, type Logger } from '@vigil/core';
import { Counter, type Registry } from 'prom-client';
import type { Appendable } from '../storage/index.ts';
import { StorageRejection } from '../storage/index.ts';
import { decodeWireLabels, forEachWireSeries, hashWireLabels, WireError, wireLabelsEqual } from './wire.ts';

export interface WriteHandlerOptions {
  appendable: Appendable;
  logger: Logger;
  registry: Registry;
}

/**
 * `POST /api/v1/write`: Prometheus remote-write 1.0 (snappy-compressed
 * protobuf). As Prometheus does, the whole request is one transaction:
 * samples the storage refuses one by one (out of order, duplicates) are
 * counted and answered with 400 so the sender drops instead of retrying,
 * while the accepted ones are committed; a 204 means every sample was
 * committed.
 */
export function registerWriteHandler(app: FastifyInstance, opts: WriteHandlerOptions): void {
  const received = new Counter({
    name: 'vigil_remote_write_received_samples_total',
    help: 'Samples received through the remote-write receiver.',
    registers: [opts.registry],
  });
  const rejected = new Counter({
    name: 'vigil_remote_write_rejected_samples_total',
    help: 'Samples the remote-write receiver refused, by reason.',
    labelNames: ['reason'],
    registers: [opts.registry],
  });

  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Raw label bytes → series ref: a repeated series costs a hash and a byte
  // comparison, no strings or label objects. Bounded; cleared when full.
  const refCache = new Map<number, number>();
  const seriesLabels = opts.appendable.seriesLabels?.bind(opts.appendable);

  app.post('/api/v1/write', async (req, reply) => {
    const body = req.body;
    if (!Buffer.isBuffer(body)) return reply.code(400).type('text/plain').send('expected a snappy-compressed protobuf body (Content-Type: application/x-protobuf)\n');
    let raw: Buffer;
    try {
      raw = snappy.uncompressSync(body, { asBuffer: true }) as Buffer;
    } catch (err) {
      return reply.code(400).type('text/plain').send(`decode remote write request: ${(err as Error).message}\n`);
    }
    const app_ = opts.appendable.appender();
    let firstRejection: string | undefined;
    let n = 0;
    try {
      forEachWireSeries(raw, (s) => {
        if (s.n === 0) return;
        let labels: readonly Label[] | undefined;
        let ref = 0;
        let hash = -1;
        if (s.labelsContiguous && seriesLabels) {
          hash = hashWireLabels(s);
          const cached = refCache.get(hash);
          if (cached !== undefined) {
            const ls = seriesLabels(cached);
            if (ls && wireLabelsEqual(s, ls)) {
              labels = ls;
              ref = cached;
            }
          }
        }
        labels ??= sortLabels(decodeWireLabels(s).filter((l) => l.value !== ''));
        for (let i = 0; i < s.n; i++) {
          try {
            ref = app_.append(ref, labels as Label[], s.ts[i]!, s.vs[i]!);
            n++;
          } catch (err) {
            if (!(err instanceof StorageRejection)) throw err;
            rejected.inc({ reason: err.reason });
            firstRejection ??= `${err.message} for series ${JSON.stringify(Object.fromEntries(labels.map((l) => [l.name, l.value])))}`;
          }
        }
        if (hash >= 0 && ref > 0 && ref < TMP_REF_BASE) {
          if (refCache.size >= REF_CACHE_MAX) refCache.clear();
          refCache.set(hash, ref);
        }
      });
    } catch (err) {
      await app_.rollback();
      if (err instanceof WireError) return reply.code(400).type('text/plain').send(`decode remote write request: ${err.message}\n`);
      throw err;
    }
    await app_.commit();
    received.inc(n);
    if (firstRejection) return reply.code(400).type('text/plain').send(firstRejection + '\n');
    return reply.code(204).send();
  });
}

/** Refs at or above this are an appender's temporary ones for uncommitted series. */
const TMP_REF_BASE = 0x80000000;
const REF_CACHE_MAX = 4_000_000;
