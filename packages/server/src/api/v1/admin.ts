import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Matcher } from '@vigil/core';
import type { ApiV1Deps } from './deps.ts';
import { formValue, formValues, sendData, sendError } from './respond.ts';
import { invalidParam, MAX_TIME, MIN_TIME, parseTimeParam } from './params.ts';

/**
 * The TSDB admin and status endpoints of the Prometheus API:
 * `/api/v1/status/tsdb`, `/api/v1/status/walreplay` and, with
 * `--web.enable-admin-api`, `/api/v1/admin/tsdb/{delete_series,clean_tombstones,snapshot}`
 * (answering 503 `unavailable` "admin APIs disabled" otherwise, as Prometheus).
 */
export function registerTsdbRoutes(app: FastifyInstance, deps: ApiV1Deps): void {
  const tsdb = deps.tsdb;
  if (!tsdb) return;

  app.get('/api/v1/status/tsdb', async (req, reply) => {
    const l = formValue(req, 'limit');
    const limit = l === undefined || l === '' ? 10 : Number(l);
    if (!Number.isInteger(limit) || limit < 1) return sendError(reply, 'bad_data', 'limit must be a positive number');
    return sendData(reply, tsdb.status(limit));
  });
  app.get('/api/v1/status/walreplay', async (_req, reply) => sendData(reply, tsdb.walReplay()));

  const admin = (handler: (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | FastifyReply) => async (req: FastifyRequest, reply: FastifyReply) =>
    tsdb.adminEnabled ? handler(req, reply) : sendError(reply, 'unavailable', 'admin APIs disabled');

  const deleteSeries = admin(async (req, reply) => {
    const matches = formValues(req, 'match[]');
    if (matches.length === 0) return sendError(reply, 'bad_data', 'no match[] parameter provided');
    let start = MIN_TIME;
    let end = MAX_TIME;
    try {
      const s = formValue(req, 'start');
      if (s) start = parseTimeParam(s);
    } catch (err) {
      return sendError(reply, 'bad_data', invalidParam('start', err));
    }
    try {
      const e = formValue(req, 'end');
      if (e) end = parseTimeParam(e);
    } catch (err) {
      return sendError(reply, 'bad_data', invalidParam('end', err));
    }
    const sets: Matcher[][] = [];
    for (const m of matches) {
      try {
        sets.push(deps.parseSelector(m));
      } catch (err) {
        return sendError(reply, 'bad_data', invalidParam('match[]', err));
      }
    }
    tsdb.deleteSeries(sets, start, end);
    return reply.code(204).send();
  });
  const cleanTombstones = admin(async (_req, reply) => {
    tsdb.cleanTombstones();
    return reply.code(204).send();
  });
  const snapshot = admin(async (req, reply) => {
    const skip = formValue(req, 'skip_head');
    let skipHead = false;
    if (skip !== undefined && skip !== '') {
      if (!/^(true|false|1|0|t|f|TRUE|FALSE|True|False|T|F)$/.test(skip)) return sendError(reply, 'bad_data', invalidParam('skip_head', new Error(`strconv.ParseBool: parsing ${JSON.stringify(skip)}: invalid syntax`)));
      skipHead = /^(true|1|t)$/i.test(skip);
    }
    try {
      return sendData(reply, { name: tsdb.snapshot(skipHead) });
    } catch (err) {
      return sendError(reply, 'internal', `create snapshot: ${(err as Error).message}`);
    }
  });
  for (const method of ['POST', 'PUT'] as const) {
    app.route({ method, url: '/api/v1/admin/tsdb/delete_series', handler: deleteSeries });
    app.route({ method, url: '/api/v1/admin/tsdb/clean_tombstones', handler: cleanTombstones });
    app.route({ method, url: '/api/v1/admin/tsdb/snapshot', handler: snapshot });
  }
}
