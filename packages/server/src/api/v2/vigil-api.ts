import type { FastifyInstance } from 'fastify';
import { isResolved, parseMatchers, type Alertmanager, type HistoryKind } from '../../alerting/index.ts';

const KINDS = new Set<HistoryKind>(['firing', 'resolved', 'silenced', 'inhibited', 'unmuted', 'notified', 'acknowledged', 'unacknowledged']);

function time(v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  const s = String(v);
  const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) * 1000 : Date.parse(s);
  if (Number.isNaN(n)) throw new Error(`invalid time ${JSON.stringify(s)}`);
  return n;
}

/**
 * Vigil's additions to the Alertmanager API under `/api/vigil/v1/`:
 * alert history with filters and a time range, live groups with their keys,
 * and acknowledgements. Errors: 400 `{ error }`.
 */
export async function registerVigilAlertingApi(app: FastifyInstance, am: Alertmanager): Promise<void> {
  app.get('/api/vigil/v1/history', async (req, reply) => {
    const q = req.query as Record<string, string | string[] | undefined>;
    const list = (x: unknown) => (x === undefined ? [] : Array.isArray(x) ? x.map(String) : [String(x)]);
    try {
      const kinds = list(q.kind).flatMap((k) => k.split(','));
      for (const k of kinds) if (!KINDS.has(k as HistoryKind)) throw new Error(`unknown kind ${JSON.stringify(k)}`);
      return am.history.query({
        kinds: kinds as HistoryKind[],
        matchers: list(q.filter).flatMap((f) => parseMatchers(f)),
        fingerprint: q.fingerprint ? String(q.fingerprint) : undefined,
        groupKey: q.groupKey ? String(q.groupKey) : undefined,
        receiver: q.receiver ? String(q.receiver) : undefined,
        from: time(q.from),
        to: time(q.to),
        limit: q.limit ? Math.min(10_000, Number(q.limit)) : undefined,
      }).map((e) => ({ ...e, ts: new Date(e.ts).toISOString() }));
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
  });

  app.get('/api/vigil/v1/groups', async () => {
    const now = am.clock.now();
    return am.groups().map((g) => {
      const ack = am.acks.get(g.groupKey);
      return {
        groupKey: g.groupKey,
        receiver: g.route.receiver,
        labels: g.labels,
        firing: [...g.alerts.values()].filter((a) => !isResolved(a, now)).length,
        acknowledged: ack ? { by: ack.by, comment: ack.comment, at: new Date(ack.at).toISOString() } : null,
      };
    });
  });

  app.post('/api/vigil/v1/receivers/:name/test', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    const body = (req.body ?? {}) as { alerts?: unknown };
    try {
      const results = await am.testReceiver(name, Array.isArray(body.alerts) ? body.alerts : undefined);
      return reply.code(results.some((r) => r.error) ? 502 : 200).send({ results });
    } catch (err) {
      return reply.code(/no receiver/.test((err as Error).message) ? 404 : 400).send({ error: (err as Error).message });
    }
  });

  app.get('/api/vigil/v1/acks', async () => am.acks.list().map((a) => ({ ...a, at: new Date(a.at).toISOString() })));

  app.post('/api/vigil/v1/acks', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.groupKey !== 'string' || !b.groupKey) return reply.code(400).send({ error: 'groupKey required' });
    if (typeof b.by !== 'string' || !b.by) return reply.code(400).send({ error: 'by required (who acknowledges)' });
    try {
      const a = am.ackGroup(b.groupKey, b.by, typeof b.comment === 'string' ? b.comment : '');
      return { ...a, at: new Date(a.at).toISOString() };
    } catch (err) {
      return reply.code(404).send({ error: (err as Error).message });
    }
  });

  app.delete('/api/vigil/v1/acks', async (req, reply) => {
    const key = (req.query as Record<string, string>).groupKey;
    if (!key || !am.acks.clear(key, 'removed by API')) return reply.code(404).send({ error: 'no such acknowledgement' });
    return reply.code(200).send();
  });
}
