import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { compareLabels, labelsKey, type Labels, type Matcher } from '@vigil/core';
import type { ApiV1Deps } from './deps.ts';
import type { Querier } from '../../storage/index.ts';
import { formValue, formValues, sendData, sendError } from './respond.ts';
import { invalidParam, MAX_TIME, MIN_TIME, parseTimeParam } from './params.ts';
import { metricObject } from './format.ts';

type Req = FastifyRequest;

interface Common {
  start: number;
  end: number;
  matcherSets: Matcher[][];
  limit: number | undefined;
}

function parseCommon(req: Req, reply: FastifyReply, deps: ApiV1Deps): Common | undefined {
  let start = MIN_TIME;
  let end = MAX_TIME;
  const s = formValue(req, 'start');
  const e = formValue(req, 'end');
  try {
    if (s) start = parseTimeParam(s);
  } catch (err) {
    sendError(reply, 'bad_data', invalidParam('start', err));
    return undefined;
  }
  try {
    if (e) end = parseTimeParam(e);
  } catch (err) {
    sendError(reply, 'bad_data', invalidParam('end', err));
    return undefined;
  }
  const matcherSets: Matcher[][] = [];
  for (const m of formValues(req, 'match[]')) {
    try {
      matcherSets.push(deps.parseSelector(m));
    } catch (err) {
      sendError(reply, 'bad_data', invalidParam('match[]', err));
      return undefined;
    }
  }
  let limit: number | undefined;
  const l = formValue(req, 'limit');
  if (l !== undefined && l !== '') {
    const n = Number(l);
    if (!Number.isInteger(n) || n < 0) {
      sendError(reply, 'bad_data', invalidParam('limit', new Error('limit must be a non-negative number')));
      return undefined;
    }
    if (n > 0) limit = n;
  }
  return { start, end, matcherSets, limit };
}

const TRUNCATED = 'results truncated due to limit';

/** `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/:name/values`. */
export function registerSeriesRoutes(app: FastifyInstance, deps: ApiV1Deps): void {
  const series = async (req: Req, reply: FastifyReply) => {
    if (formValues(req, 'match[]').length === 0) return sendError(reply, 'bad_data', 'no match[] parameter provided');
    const c = parseCommon(req, reply, deps);
    if (!c) return reply;
    const q = await deps.queryable.querier(c.start, c.end);
    try {
      const seen = new Map<string, Labels>();
      const warnings: string[] = [];
      for (const ms of c.matcherSets) {
        const set = await q.select(false, { start: c.start, end: c.end, func: 'series' }, ...ms);
        if (set.warnings) warnings.push(...set.warnings);
        for (const s of set.series) seen.set(labelsKey(s.labels), s.labels);
      }
      let all = [...seen.values()].sort(compareLabels);
      if (c.limit !== undefined && all.length > c.limit) {
        all = all.slice(0, c.limit);
        warnings.push(TRUNCATED);
      }
      return sendData(reply, all.map(metricObject), { warnings });
    } catch (err) {
      return sendError(reply, 'execution', (err as Error).message);
    } finally {
      q.close();
    }
  };
  /** Sends the sorted union of `lookup` over every match[] set (or all series), limited like Prometheus. */
  const stringList = async (c: Common, reply: FastifyReply, lookup: (q: Querier, ms: Matcher[]) => Promise<string[]>) => {
    const q = await deps.queryable.querier(c.start, c.end);
    try {
      const found = new Set<string>();
      const sets = c.matcherSets.length === 0 ? [[]] : c.matcherSets;
      for (const ms of sets) for (const v of await lookup(q, ms)) found.add(v);
      let out = [...found].sort();
      const warnings: string[] = [];
      if (c.limit !== undefined && out.length > c.limit) {
        out = out.slice(0, c.limit);
        warnings.push(TRUNCATED);
      }
      return sendData(reply, out, { warnings });
    } catch (err) {
      return sendError(reply, 'execution', (err as Error).message);
    } finally {
      q.close();
    }
  };
  const labels = async (req: Req, reply: FastifyReply) => {
    const c = parseCommon(req, reply, deps);
    if (!c) return reply;
    return stringList(c, reply, (q, ms) => q.labelNames(...ms));
  };
  const values = async (req: Req, reply: FastifyReply) => {
    let name = (req.params as { name: string }).name;
    // Prometheus 3 accepts UTF-8 names escaped as U__<hex-escaped> in the path.
    if (name.startsWith('U__')) name = unescapeName(name.slice(3));
    if (name === '') return sendError(reply, 'bad_data', `invalid label name: ${JSON.stringify(name)}`);
    const c = parseCommon(req, reply, deps);
    if (!c) return reply;
    return stringList(c, reply, (q, ms) => q.labelValues(name, ...ms));
  };
  app.get('/api/v1/series', series);
  app.post('/api/v1/series', series);
  app.get('/api/v1/labels', labels);
  app.post('/api/v1/labels', labels);
  app.get('/api/v1/label/:name/values', values);
}

/** Reverses Prometheus's `U__` name escaping: `_` is `__`, other bytes `_<hex>_`. */
function unescapeName(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '_') {
      out += s[i];
      continue;
    }
    if (s[i + 1] === '_') {
      out += '_';
      i++;
      continue;
    }
    const end = s.indexOf('_', i + 1);
    if (end < 0) return '';
    out += String.fromCodePoint(parseInt(s.slice(i + 1, end), 16));
    i = end;
  }
  return out;
}
