import type { FastifyInstance } from 'fastify';
import snappy from 'snappy';
import { sortLabels, type Label, type Logger } from '@vigil/core';
import { Counter, type Registry } from 'prom-client';
import type { Appendable } from '../storage/index.ts';
import { StorageRejection } from '../storage/index.ts';
import { writeRequestType, type WireWriteRequest } from './proto.ts';

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
  const type = writeRequestType();
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

  app.post('/api/v1/write', async (req, reply) => {
    const body = req.body;
    if (!Buffer.isBuffer(body)) return reply.code(400).type('text/plain').send('expected a snappy-compressed protobuf body (Content-Type: application/x-protobuf)\n');
    let msg: WireWriteRequest;
    try {
      const raw = snappy.uncompressSync(body, { asBuffer: true }) as Buffer;
      msg = type.toObject(type.decode(raw), { longs: Number, defaults: true }) as WireWriteRequest;
    } catch (err) {
      return reply.code(400).type('text/plain').send(`decode remote write request: ${(err as Error).message}\n`);
    }
    const app_ = opts.appendable.appender();
    let firstRejection: string | undefined;
    let n = 0;
    for (const ts of msg.timeseries) {
      const labels = sortLabels(ts.labels.filter((l) => l.value !== '').map((l): Label => ({ name: l.name, value: l.value })));
      let ref = 0;
      for (const s of ts.samples) {
        const t = typeof s.timestamp === 'number' ? s.timestamp : s.timestamp.toNumber();
        try {
          ref = app_.append(ref, labels, t, s.value);
          n++;
        } catch (err) {
          if (!(err instanceof StorageRejection)) {
            await app_.rollback();
            throw err;
          }
          rejected.inc({ reason: err.reason });
          firstRejection ??= `${err.message} for series ${JSON.stringify(Object.fromEntries(labels.map((l) => [l.name, l.value])))}`;
        }
      }
    }
    await app_.commit();
    received.inc(n);
    if (firstRejection) return reply.code(400).type('text/plain').send(firstRejection + '\n');
    return reply.code(204).send();
  });
}
