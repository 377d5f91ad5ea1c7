import cluster, { type Worker } from 'node:cluster';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { addLinePart, aggregateLineFamilies, type LineFamily } from './line-aggregate.ts';
import { metricsAsLineParts, type LinePart } from './line-parts.ts';
import { registryHandler } from './handler.ts';

/** Primary -> worker: send me your metrics. */
const REQ = 'vigil:cluster-metrics-req';
/** Worker -> primary: one part of one family. */
const PART = 'vigil:cluster-metrics-part';
/** Worker -> primary: that was all (or `error`). */
const END = 'vigil:cluster-metrics-end';

interface ReqMessage {
  type: typeof REQ;
  id: number;
}
interface PartMessage {
  type: typeof PART;
  id: number;
  part: LinePart;
}
interface EndMessage {
  type: typeof END;
  id: number;
  error?: string;
}

const served = new WeakSet<Registry>();

/** Parts a worker lets wait in the IPC channel before it produces more. */
const MAX_UNSENT = 4;

/**
 * In a `cluster` worker: answers the primary's metric requests with this
 * worker's registry. The reply is produced a slice at a time and sent as
 * many small IPC messages (parts of at most 250 samples, as text: see
 * {@link metricsAsLineParts}), so a worker with 100k series keeps serving
 * its traffic while the primary collects. A primary using prom-client's
 * `AggregatorRegistry.clusterMetrics()` is answered too, by prom-client.
 * Calling it again for the same registry does nothing.
 */
export function serveClusterWorker(registry: Registry): void {
  if (served.has(registry) || !process.send) return;
  served.add(registry);
  // Also answer a primary that uses prom-client's own
  // AggregatorRegistry.clusterMetrics() (its protocol, its one-step reply).
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
  process.on('message', (msg: unknown) => {
    if ((msg as ReqMessage | undefined)?.type !== REQ) return;
    const id = (msg as ReqMessage).id;
    void (async () => {
      try {
        // At most MAX_UNSENT parts wait in the IPC channel's write queue:
        // when the primary reads slower than the worker produces, queued
        // parts survive garbage collections (each survivor is copied), and
        // those collections were the worker's longest stalls.
        let unsent = 0;
        let drained: (() => void) | undefined;
        const sent = () => {
          unsent--;
          drained?.();
        };
        for await (const part of metricsAsLineParts(registry)) {
          if (unsent >= MAX_UNSENT) await new Promise<void>((r) => (drained = r));
          drained = undefined;
          unsent++;
          process.send!({ type: PART, id, part } satisfies PartMessage, undefined, {}, sent);
        }
        process.send!({ type: END, id } satisfies EndMessage);
      } catch (err) {
        process.send!({ type: END, id, error: (err as Error).message } satisfies EndMessage);
      }
    })();
  });
}

/** One collection in progress: what each asked worker has sent so far. */
interface Collection {
  /** Worker id -> its families by name (parts in order). */
  pending: Map<number, Map<string, LineFamily>>;
  done: Array<Map<string, LineFamily>>;
  finish(err?: Error): void;
}

/** Options of {@link clusterMetricsHandler}. */
export interface ClusterMetricsOptions {
  /** How long to wait for every worker's reply (default 5,000 ms, as prom-client). */
  timeoutMs?: number;
}

/**
 * In the `cluster` primary: asks every connected worker for its metrics
 * (workers call {@link serveClusterWorker}) and returns them aggregated as
 * prom-client's `AggregatorRegistry.aggregate` would (counters and
 * histograms summed, gauges by each metric's aggregator), a slice at a time
 * (see {@link aggregateLineFamilies}; labels in name order). A worker that exits while
 * answering is left out; one that does not answer within `timeoutMs` fails
 * the collection.
 */
export function clusterMetricsCollector(opts: ClusterMetricsOptions = {}): () => Promise<Registry> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const collections = new Map<number, Collection>();
  let nextId = 0;
  cluster.on('message', (worker: Worker, msg: unknown) => {
    const m = msg as PartMessage | EndMessage | undefined;
    if (m?.type !== PART && m?.type !== END) return;
    const c = collections.get(m.id);
    const families = c?.pending.get(worker.id);
    if (c === undefined || families === undefined) return;
    if (m.type === PART) return addLinePart(families, m.part);
    if (m.error !== undefined) return c.finish(new Error(`cluster worker ${worker.id}: ${m.error}`));
    c.pending.delete(worker.id);
    c.done.push(families);
    if (c.pending.size === 0) c.finish();
  });
  cluster.on('exit', (worker: Worker) => {
    for (const c of collections.values()) {
      if (c.pending.delete(worker.id) && c.pending.size === 0) c.finish();
    }
  });
  return () =>
    new Promise<Registry>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => c.finish(new Error(`${c.pending.size} worker(s) did not answer within ${timeoutMs} ms`)), timeoutMs);
      const c: Collection = {
        pending: new Map(),
        done: [],
        finish(err) {
          if (!collections.delete(id)) return;
          clearTimeout(timer);
          if (err) return reject(err);
          aggregateLineFamilies(c.done.map((families) => families.values())).then(resolve, reject);
        },
      };
      collections.set(id, c);
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (worker === undefined || !worker.isConnected()) continue;
        c.pending.set(worker.id, new Map());
        worker.send({ type: REQ, id } satisfies ReqMessage);
      }
      if (c.pending.size === 0) c.finish();
    });
}

/**
 * In the `cluster` primary: a `/metrics` handler serving every worker's
 * metrics aggregated (see {@link clusterMetricsCollector}), rendered in
 * slices like the workers' own `/metrics`; OpenMetrics when the scraper asks
 * for it.
 */
export function clusterMetricsHandler(opts: ClusterMetricsOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return registryHandler(clusterMetricsCollector(opts), 'cluster metrics');
}
