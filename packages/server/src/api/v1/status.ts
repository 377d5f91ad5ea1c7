import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiV1Deps, MetricMetadataView } from './deps.ts';
import { formValue, formValues, sendData, sendError } from './respond.ts';
import { invalidParam } from './params.ts';

/** Status, targets, metadata and other read-only endpoints of the Prometheus API. */
export function registerStatusRoutes(app: FastifyInstance, deps: ApiV1Deps): void {
  app.get('/api/v1/status/buildinfo', async (_req, reply) => sendData(reply, deps.buildInfo));
  app.get('/api/v1/status/config', async (_req, reply) => sendData(reply, { yaml: deps.configYAML() }));
  app.get('/api/v1/status/flags', async (_req, reply) => sendData(reply, deps.flags()));
  app.get('/api/v1/status/runtimeinfo', async (_req, reply) => sendData(reply, deps.runtimeInfo()));

  app.get('/api/v1/targets', async (req: FastifyRequest, reply: FastifyReply) => {
    const state = (formValue(req, 'state') ?? 'any').toLowerCase();
    const pool = formValue(req, 'scrapePool');
    const all = deps.targets();
    const active = all.activeTargets.filter((t) => !pool || t.scrapePool === pool);
    const dropped = all.droppedTargets.filter((t) => !pool || t.scrapePool === pool);
    const counts: Record<string, number> = {};
    for (const t of all.droppedTargets) if (t.scrapePool) counts[t.scrapePool] = (counts[t.scrapePool] ?? 0) + 1;
    const body: Record<string, unknown> = {};
    if (state === 'active' || state === 'any') body.activeTargets = active;
    else body.activeTargets = [];
    if (state === 'dropped' || state === 'any') body.droppedTargets = dropped;
    else body.droppedTargets = [];
    body.droppedTargetCounts = counts;
    return sendData(reply, body);
  });

  app.get('/api/v1/targets/metadata', async (req, reply) => {
    const metric = formValue(req, 'metric');
    const limitS = formValue(req, 'limit');
    const limit = limitS ? Number(limitS) : -1;
    if (limitS && !Number.isInteger(limit)) return sendError(reply, 'bad_data', invalidParam('limit', new Error('limit must be a number')));
    const matchTarget = formValues(req, 'match_target');
    let rows = deps.targetMetadata().filter((m) => !metric || m.metric === metric);
    if (matchTarget.length > 0) {
      const [sel] = matchTarget;
      const ms = deps.parseSelector(sel!);
      rows = rows.filter((r) => ms.every((m) => m.matches(r.target?.[m.name] ?? '')));
    }
    if (limit >= 0) rows = rows.slice(0, limit);
    return sendData(reply, rows);
  });

  app.get('/api/v1/metadata', async (req, reply) => {
    const metric = formValue(req, 'metric');
    const limit = Number(formValue(req, 'limit') ?? -1);
    const perMetric = Number(formValue(req, 'limit_per_metric') ?? -1);
    const out: Record<string, Array<Omit<MetricMetadataView, 'target' | 'metric'>>> = {};
    for (const m of deps.targetMetadata()) {
      if (!m.metric || (metric && m.metric !== metric)) continue;
      const list = (out[m.metric] ??= []);
      if (list.some((x) => x.type === m.type && x.help === m.help && x.unit === m.unit)) continue;
      if (perMetric > 0 && list.length >= perMetric) continue;
      list.push({ type: m.type, help: m.help, unit: m.unit });
    }
    if (limit > 0) {
      const keys = Object.keys(out);
      for (const k of keys.slice(limit)) delete out[k];
    }
    return sendData(reply, out);
  });

  app.get('/api/v1/alertmanagers', async (_req, reply) => sendData(reply, deps.alertmanagers()));

  // Vigil stores no exemplars yet; Prometheus answers an empty list when none match.
  const exemplars = async (_req: FastifyRequest, reply: FastifyReply) => sendData(reply, []);
  app.get('/api/v1/query_exemplars', exemplars);
  app.post('/api/v1/query_exemplars', exemplars);
}
