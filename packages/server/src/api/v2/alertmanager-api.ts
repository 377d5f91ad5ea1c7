import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  SilenceError,
  formatLabelSet,
  isResolved,
  parseMatchers,
  type Alert,
  type Alertmanager,
  type PostableAlert,
  type Silence,
} from '../../alerting/index.ts';
import { buildInfo } from '../../app/build-info.ts';
import { compileAnchored } from '@vigil/core';
import type { Matcher } from '@vigil/core';

type Query = Record<string, string | string[] | undefined>;

const iso = (ms: number) => new Date(ms).toISOString();

function gettableAlert(am: Alertmanager, a: Alert) {
  const st = am.status(a);
  return {
    annotations: a.annotations,
    endsAt: iso(a.endsAt),
    fingerprint: a.fingerprint,
    receivers: am.receivers(a).map((name) => ({ name })),
    startsAt: iso(a.startsAt),
    status: { inhibitedBy: st.inhibitedBy, silencedBy: st.silencedBy, state: st.state },
    updatedAt: iso(a.updatedAt),
    generatorURL: a.generatorURL,
    labels: a.labels,
  };
}

function gettableSilence(am: Alertmanager, s: Silence) {
  return {
    id: s.id,
    status: { state: am.silences.state(s) },
    updatedAt: iso(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: iso(s.endsAt),
    matchers: s.matchers.map((m) => ({ isEqual: m.isEqual !== false, isRegex: m.isRegex, name: m.name, value: m.value })),
    startsAt: iso(s.startsAt),
  };
}

function list(q: unknown): string[] {
  if (q === undefined) return [];
  return Array.isArray(q) ? q.map(String) : [String(q)];
}

function boolParam(q: Query, name: string, dflt: boolean): boolean {
  const v = q[name];
  if (v === undefined) return dflt;
  return String(Array.isArray(v) ? v[0] : v) !== 'false';
}

function filterMatchers(q: Query, reply: FastifyReply): Matcher[] | undefined {
  try {
    return list(q.filter).flatMap((f) => parseMatchers(f));
  } catch (err) {
    void reply.code(400).send(JSON.stringify((err as Error).message));
    return undefined;
  }
}

function postAlerts(am: Alertmanager, body: unknown, reply: FastifyReply, v1: boolean) {
  if (!Array.isArray(body)) return reply.code(400).type('application/json').send(JSON.stringify('body must be a JSON array of alerts'));
  const r = am.put(body as PostableAlert[]);
  if (r.errors.length) {
    am.logger.warn({ refused: r.errors.length, accepted: r.accepted }, 'refused invalid alerts');
    const msg = r.errors.join('; ');
    return v1
      ? reply.code(400).send({ status: 'error', errorType: 'bad_data', error: msg })
      : reply.code(400).type('application/json').send(JSON.stringify(msg));
  }
  return v1 ? reply.send({ status: 'success' }) : reply.code(200).send();
}

/**
 * Registers Alertmanager's API v2 (as its OpenAPI spec, 0.25) plus
 * `POST /api/v1/alerts` on a Fastify instance. Bodies and status codes
 * follow Alertmanager so Prometheus, amtool and Grafana work unchanged.
 */
export async function registerAlertmanagerApi(app: FastifyInstance, am: Alertmanager): Promise<void> {
  app.post('/api/v2/alerts', async (req, reply) => postAlerts(am, req.body, reply, false));
  app.post('/api/v1/alerts', async (req, reply) => postAlerts(am, req.body, reply, true));

  app.get('/api/v2/alerts', async (req, reply) => {
    const q = req.query as Query;
    const ms = filterMatchers(q, reply);
    if (!ms) return reply;
    let rcv: RegExp | undefined;
    if (q.receiver) {
      try {
        rcv = compileAnchored(String(q.receiver));
      } catch (err) {
        return reply.code(400).send(JSON.stringify(`failed to parse receiver param: ${(err as Error).message}`));
      }
    }
    const active = boolParam(q, 'active', true);
    const silenced = boolParam(q, 'silenced', true);
    const inhibited = boolParam(q, 'inhibited', true);
    const now = am.clock.now();
    const out = [];
    for (const a of am.store.list()) {
      if (isResolved(a, now)) continue;
      if (!ms.every((m) => m.matches(a.labels[m.name] ?? ''))) continue;
      const g = gettableAlert(am, a);
      if (rcv && !g.receivers.some((r) => rcv.test(r.name))) continue;
      if (!active && g.status.state === 'active') continue;
      if (!silenced && g.status.silencedBy.length) continue;
      if (!inhibited && g.status.inhibitedBy.length) continue;
      out.push(g);
    }
    out.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    return out;
  });

  app.get('/api/v2/alerts/groups', async (req, reply) => {
    const q = req.query as Query;
    const ms = filterMatchers(q, reply);
    if (!ms) return reply;
    const now = am.clock.now();
    const out = [];
    for (const g of am.groups()) {
      const alerts = [...g.alerts.values()]
        .filter((a) => !isResolved(a, now) && ms.every((m) => m.matches(a.labels[m.name] ?? '')))
        .map((a) => gettableAlert(am, a));
      if (alerts.length) out.push({ alerts, labels: g.labels, receiver: { name: g.route.receiver }, groupKey: undefined as string | undefined });
    }
    return out.map(({ groupKey: _, ...g }) => g).sort((a, b) => (formatLabelSet(a.labels) < formatLabelSet(b.labels) ? -1 : 1));
  });

  app.get('/api/v2/silences', async (req, reply) => {
    const ms = filterMatchers(req.query as Query, reply);
    if (!ms) return reply;
    const order = { active: 0, pending: 1, expired: 2 } as const;
    return am.silences
      .list()
      .filter((s) => ms.every((m) => s.matchers.some((sm) => sm.name === m.name && m.matches(sm.value))))
      .map((s) => gettableSilence(am, s))
      .sort((a, b) => order[a.status.state] - order[b.status.state] || (a.endsAt < b.endsAt ? -1 : 1));
  });

  app.post('/api/v2/silences', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    try {
      const id = am.silences.set({
        id: typeof b.id === 'string' && b.id ? b.id : undefined,
        matchers: Array.isArray(b.matchers) ? (b.matchers as Silence['matchers']) : [],
        startsAt: Date.parse(String(b.startsAt)),
        endsAt: Date.parse(String(b.endsAt)),
        createdBy: String(b.createdBy ?? ''),
        comment: String(b.comment ?? ''),
      });
      return { silenceID: id };
    } catch (err) {
      if (err instanceof SilenceError) return reply.code(err.notFound ? 404 : 400).type('application/json').send(JSON.stringify(err.message));
      throw err;
    }
  });

  app.get('/api/v2/silence/:id', async (req, reply) => {
    const s = am.silences.get((req.params as { id: string }).id);
    if (!s) return reply.code(404).send();
    return gettableSilence(am, s);
  });

  app.delete('/api/v2/silence/:id', async (req, reply) => {
    try {
      am.silences.expire((req.params as { id: string }).id);
      return reply.code(200).send();
    } catch (err) {
      if (err instanceof SilenceError) return reply.code(err.notFound ? 404 : 500).type('application/json').send(JSON.stringify(err.message));
      throw err;
    }
  });

  app.get('/api/v2/status', async () => {
    const b = buildInfo();
    return {
      cluster: { status: 'disabled', peers: [] },
      config: { original: am.config().original },
      uptime: iso(am.startedAt),
      versionInfo: { branch: 'main', buildDate: '', buildUser: '', goVersion: `node${process.versions.node}`, revision: '', version: b.version },
    };
  });

  app.get('/api/v2/receivers', async () => am.config().receivers.map((r) => ({ name: r.name })));
}
