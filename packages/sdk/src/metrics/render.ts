import type { Registry } from 'prom-client';
import { seriesKeys, type SeriesMap } from './series-keys.ts';

/** Content type of the Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0 text. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Options of {@link renderRegistry}. */
export interface RenderOptions {
  /** Render OpenMetrics 1.0 instead of the Prometheus text format. */
  openMetrics?: boolean;
  /**
   * Longest stretch of synchronous formatting, in milliseconds, before the
   * renderer yields to the event loop (default 4).
   */
  sliceMs?: number;
}

/** Picks the exposition format from an Accept header, as Prometheus negotiates it. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/openmetrics-text');
}

interface MetricValue {
  labels?: Record<string, string | number>;
  /** Histogram labels shared by a series' bucket/sum/count lines (prom-client's getForPromString). */
  sharedLabels?: Record<string, string | number>;
  value: number;
  metricName?: string;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function escapeLabel(v: string): string {
  return /[\\\n"]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * Renders a prom-client registry to text without holding the event loop for
 * more than about `sliceMs` at a time.
 *
 * prom-client's `registry.metrics()` formats each metric family in one
 * synchronous loop, so a family with 100k series blocks the loop for the whole
 * family (prom-client #543, #216). This renderer formats in slices and yields
 * with `setImmediate` between them, so requests keep being served during a
 * scrape. Output matches prom-client's text format (default labels included),
 * except that OpenMetrics rendering does not mutate the registry's counters.
 *
 * Collect callbacks and `metric.get()` still run as prom-client runs them.
 * The result is one Buffer, ready to send ({@link renderRegistry} returns
 * the same as a string).
 */
export async function renderRegistryBuffer(registry: Registry, opts: RenderOptions = {}): Promise<Buffer> {
  return Buffer.concat(await renderChunks(registry, opts));
}

/** {@link renderRegistryBuffer} as a string. */
export async function renderRegistry(registry: Registry, opts: RenderOptions = {}): Promise<string> {
  return (await renderRegistryBuffer(registry, opts)).toString('utf8');
}

/**
 * The exposition as a list of Buffers. Each slice's text is encoded as soon
 * as it is formatted, so the many short-lived strings of a slice die young
 * (cheap scavenges) and the output lives outside the JavaScript heap: joining
 * one string of 100k lines at the end instead held the loop for tens of
 * milliseconds (flattening the concatenations) and grew the heap enough for
 * long full collections.
 */
async function renderChunks(registry: Registry, opts: RenderOptions): Promise<Buffer[]> {
  const om = opts.openMetrics ?? false;
  const sliceMs = opts.sliceMs ?? 4;
  const defaults = Object.entries((registry as unknown as { _defaultLabels: Record<string, string> })._defaultLabels ?? {});
  const out: Buffer[] = [];
  const emit = (text: string) => {
    if (text !== '') out.push(Buffer.from(text, 'utf8'));
  };
  // prom-client reuses one sharedLabels object for a series' lines; format it once.
  const sharedCache = new WeakMap<object, string>();
  let sliceStart = performance.now();
  const pause = async () => {
    if (performance.now() - sliceStart > sliceMs) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
  };
  let first = true;
  for (const metric of registry.getMetricsAsArray()) {
    const fast = fastSource(metric);
    let m: { name: string; help: string; type: string; values: Iterable<MetricValue> | AsyncIterable<MetricValue> };
    if (fast) {
      await fast.collect();
      m = { name: fast.name, help: fast.help, type: fast.type, values: fast.values(pause) };
    } else {
      // getForPromString is prom-client's faster histogram path (shared labels per series).
      const src = metric as unknown as { get(): Promise<unknown>; getForPromString?(): Promise<unknown> };
      m = (await (src.getForPromString ? src.getForPromString() : src.get())) as typeof m;
    }
    sliceStart = performance.now();
    const isCounter = m.type === 'counter';
    // OpenMetrics names the counter family without `_total` and its samples with it.
    const family = om && isCounter && m.name.endsWith('_total') ? m.name.slice(0, -6) : m.name;
    // prom-client separates text-format families with a blank line.
    let chunk = `${!om && !first ? '\n' : ''}# HELP ${family} ${escapeHelp(m.help)}\n# TYPE ${family} ${m.type}\n`;
    first = false;
    let i = 0;
    for await (const val of m.values ?? []) {
      let name = val.metricName ?? m.name;
      if (om && isCounter && !name.endsWith('_total')) name += '_total';
      let labels = '';
      const own = val.labels ?? {};
      const shared = val.sharedLabels;
      // Same label order as prom-client: own, then defaults, then shared.
      for (const k in own) if (!shared || !(k in shared)) labels += `${labels ? ',' : ''}${k}="${escapeLabel(String(own[k]))}"`;
      for (const [k, v] of defaults) if (!(k in own) && (!shared || !(k in shared))) labels += `${labels ? ',' : ''}${k}="${escapeLabel(v)}"`;
      if (shared) {
        let flat = sharedCache.get(shared);
        if (flat === undefined) {
          flat = Object.entries(shared).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',');
          sharedCache.set(shared, flat);
        }
        if (flat) labels += `${labels ? ',' : ''}${flat}`;
      }
      chunk += labels ? `${name}{${labels}} ${formatValue(val.value)}\n` : `${name} ${formatValue(val.value)}\n`;
      if ((++i & 255) === 0) {
        emit(chunk);
        chunk = '';
        await pause();
      }
    }
    emit(chunk);
    await pause();
  }
  if (om) emit('# EOF\n');
  return out;
}

/** One series in prom-client's series map. */
interface Series {
  value?: number;
  labels: Record<string, string | number>;
  bucketValues?: Record<string, number>;
  sum?: number;
  count?: number;
  exemplar?: unknown;
}

/** Metric internals the fast path reads (prom-client 15 Counter, Gauge, Histogram). */
interface Internals {
  name: string;
  help: string;
  type: string;
  hashMap?: Record<string, Series>;
  upperBounds?: number[];
  enableExemplars?: boolean;
  collect?: () => unknown;
}

interface FastSource {
  name: string;
  help: string;
  type: string;
  collect(): Promise<void>;
  values(pause: () => Promise<void>): AsyncIterable<MetricValue>;
}

/**
 * Reads prom-client's series map directly for counters, gauges and
 * histograms without exemplars. `metric.get()` copies every series into a
 * new array (and, for histograms, builds one object per bucket line) in one
 * synchronous step, which is most of the stall on a large family; here series
 * are read in slices from a snapshot of the keys ({@link seriesKeys}: for a
 * large family, without listing the object again). Anything else returns
 * undefined and goes through `get()`.
 */
function fastSource(metric: unknown): FastSource | undefined {
  const m = metric as Internals;
  if (typeof m.hashMap !== 'object' || m.hashMap === null || m.enableExemplars) return undefined;
  const hist = m.type === 'histogram';
  if (!hist && m.type !== 'counter' && m.type !== 'gauge') return undefined;
  if (hist && !Array.isArray(m.upperBounds)) return undefined;
  return {
    name: m.name,
    help: m.help,
    type: m.type,
    async collect() {
      if (m.collect) await m.collect();
    },
    async *values(pause): AsyncGenerator<MetricValue> {
      const { keys, map } = seriesKeys(m as SeriesMap<Series>);
      for (let i = 0; i < keys.length; i++) {
        if ((i & 63) === 63) await pause();
        // A series removed while we yielded is skipped, as a later scrape would.
        const e = map[keys[i]!];
        if (e === undefined) continue;
        if (!hist) {
          yield { labels: e.labels, value: e.value ?? 0 };
          continue;
        }
        let acc = 0;
        for (const ub of m.upperBounds!) {
          acc += e.bucketValues?.[ub] ?? 0;
          yield { labels: { le: ub }, value: acc, metricName: `${m.name}_bucket`, sharedLabels: e.labels };
        }
        yield { labels: { le: '+Inf' }, value: e.count ?? 0, metricName: `${m.name}_bucket`, sharedLabels: e.labels };
        yield { labels: {}, value: e.sum ?? 0, metricName: `${m.name}_sum`, sharedLabels: e.labels };
        yield { labels: {}, value: e.count ?? 0, metricName: `${m.name}_count`, sharedLabels: e.labels };
      }
    },
  };
}
