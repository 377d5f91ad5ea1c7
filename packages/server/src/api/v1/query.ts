import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QueryOptions, QueryResult } from '../../promql/types.ts';
import type { ApiV1Deps } from './deps.ts';
import { formValue, sendData, sendError, sendRawData } from './respond.ts';
import { invalidParam, parseDurationParam, parseTimeParam, ParamError } from './params.ts';
import { queryData, queryDataJSON } from './format.ts';
import { sendQueryError } from './errors.ts';

/** Prometheus refuses range queries with more points than this per series. */
const MAX_POINTS = 11_000;

type Req = FastifyRequest;

function options(req: Req, reply: FastifyReply): QueryOptions | undefined {
  const opts: QueryOptions = {};
  for (const [param, key] of [
    ['timeout', 'timeout'],
    ['lookback_delta', 'lookbackDelta'],
  ] as const) {
    const v = formValue(req, param);
    if (!v) continue;
    try {
      opts[key] = parseDurationParam(v);
    } catch (err) {
      sendError(reply, 'bad_data', invalidParam(param, err));
      return undefined;
    }
  }
  if (formValue(req, 'stats')) opts.stats = true;
  return opts;
}

function parseLimit(req: Req, reply: FastifyReply): number | undefined | null {
  const s = formValue(req, 'limit');
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) {
    sendError(reply, 'bad_data', invalidParam('limit', new Error('limit must be a non-negative number')));
    return null;
  }
  return n === 0 ? undefined : n;
}

function respond(reply: FastifyReply, res: QueryResult, limit: number | undefined): FastifyReply {
  let value = res.value;
  if (limit !== undefined) {
    if (value.type === 'vector' && value.vector.length > limit) value = { type: 'vector', vector: value.vector.slice(0, limit) };
    if (value.type === 'matrix' && value.matrix.length > limit) value = { type: 'matrix', matrix: value.matrix.slice(0, limit) };
  }
  const annotations = { warnings: res.warnings, infos: res.infos };
  if (res.stats) return sendData(reply, { ...queryData(value), stats: res.stats }, annotations);
  return sendRawData(reply, queryDataJSON(value), annotations);
}

/** `/api/v1/query` and `/api/v1/query_range`, GET and form-encoded POST. */
export function registerQueryRoutes(app: FastifyInstance, deps: ApiV1Deps): void {
  const instant = async (req: Req, reply: FastifyReply) => {
    let ts = deps.now();
    const t = formValue(req, 'time');
    if (t !== undefined && t !== '') {
      try {
        ts = parseTimeParam(t);
      } catch (err) {
        return sendError(reply, 'bad_data', invalidParam('time', err));
      }
    }
    const opts = options(req, reply);
    if (!opts) return reply;
    const limit = parseLimit(req, reply);
    if (limit === null) return reply;
    const expr = formValue(req, 'query') ?? '';
    try {
      const res = await deps.engine.instantQuery(deps.queryable, expr, ts, opts);
      return respond(reply, res, limit);
    } catch (err) {
      return sendQueryError(reply, err);
    }
  };
  const range = async (req: Req, reply: FastifyReply) => {
    let start: number, end: number, step: number;
    try {
      start = parseTimeParam(formValue(req, 'start') ?? '');
    } catch (err) {
      return sendError(reply, 'bad_data', invalidParam('start', err));
    }
    try {
      end = parseTimeParam(formValue(req, 'end') ?? '');
    } catch (err) {
      return sendError(reply, 'bad_data', invalidParam('end', err));
    }
    if (end < start) return sendError(reply, 'bad_data', invalidParam('end', new ParamError('end timestamp must not be before start time')));
    try {
      step = parseDurationParam(formValue(req, 'step') ?? '');
    } catch (err) {
      return sendError(reply, 'bad_data', invalidParam('step', err));
    }
    if (step <= 0) {
      return sendError(reply, 'bad_data', invalidParam('step', new ParamError('zero or negative query resolution step widths are not accepted. Try a positive integer')));
    }
    if ((end - start) / step > MAX_POINTS) {
      return sendError(reply, 'bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    }
    const opts = options(req, reply);
    if (!opts) return reply;
    const limit = parseLimit(req, reply);
    if (limit === null) return reply;
    const expr = formValue(req, 'query') ?? '';
    try {
      const res = await deps.engine.rangeQuery(deps.queryable, expr, start, end, step, opts);
      return respond(reply, res, limit);
    } catch (err) {
      return sendQueryError(reply, err);
    }
  };
  const format = async (req: Req, reply: FastifyReply) => {
    try {
      return sendData(reply, deps.formatQuery(formValue(req, 'query') ?? ''));
    } catch (err) {
      return sendQueryError(reply, err);
    }
  };
  const parse = async (req: Req, reply: FastifyReply) => {
    try {
      return sendData(reply, deps.parseQuery(formValue(req, 'query') ?? ''));
    } catch (err) {
      return sendQueryError(reply, err);
    }
  };
  app.get('/api/v1/parse_query', parse);
  app.post('/api/v1/parse_query', parse);
  app.get('/api/v1/format_query', format);
  app.post('/api/v1/format_query', format);
  app.get('/api/v1/query', instant);
  app.post('/api/v1/query', instant);
  app.get('/api/v1/query_range', range);
  app.post('/api/v1/query_range', range);
}
