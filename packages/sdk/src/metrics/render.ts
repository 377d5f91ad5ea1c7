import type { Registry as TypedRegistry, RegistryContentType } from 'prom-client';
import { compactOf, eachLine, parseSampleLine, type CompactFamily } from './compact-family.ts';
import { seriesKeys } from './series-keys.ts';
import { seriesSource, type Series } from './series-source.ts';
import { TimeSlice } from './time-slice.ts';

/** A prom-client registry of either content type. */
type Registry = TypedRegistry<RegistryContentType>;

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
   * renderer yields to the event loop (default 1).
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

/** A label value escaped for the text formats (backslash, newline, double quote). */
export function escapeLabel(v: string): string {
  return /[\\\n"]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the text formats write it (`NaN`, `+Inf`, `-Inf`). */
export function formatValue(v: number): string {
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
  const chunks = await renderChunks(registry, opts);
  // Joined a chunk at a time with yields, not with Buffer.concat: copying
  // 4.4 MB into a fresh buffer (page faults on first touch included) took
  // 6-8 ms in one step here.
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = Buffer.allocUnsafe(total);
  const slice = new TimeSlice(opts.sliceMs ?? 1);
  let offset = 0;
  for (const c of chunks) {
    offset += c.copy(out, offset);
    await slice.pause();
  }
  return out;
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
  const slice = new TimeSlice(opts.sliceMs ?? 1);
  const defaults = Object.entries((registry as unknown as { _defaultLabels: Record<string, string> })._defaultLabels ?? {}).map(
    ([k, v]) => [k, `${k}="${escapeLabel(String(v))}"`] as const,
  );
  const out: Buffer[] = [];
  const emit = (text: string) => {
    if (text !== '') out.push(Buffer.from(text, 'utf8'));
  };
  let first = true;
  for (const metric of registry.getMetricsAsArray()) {
    const compact = compactOf(metric);
    const fast = compact ? undefined : fastSource(metric);
    let head: { name: string; help: string; type: string };
    let lines: Lines;
    if (compact) {
      head = metric as unknown as { name: string; help: string; type: string };
      lines = compactLines(compact, head, defaults, om);
    } else if (fast) {
      await fast.collect();
      head = fast;
      slice.restart();
      lines = fast.lines(defaults, om);
    } else {
      // getForPromString is prom-client's faster histogram path (shared labels per series).
      const src = metric as unknown as { get(): Promise<unknown>; getForPromString?(): Promise<unknown> };
      const m = (await (src.getForPromString ? src.getForPromString() : src.get())) as { name: string; help: string; type: string; values?: MetricValue[] };
      head = m;
      slice.restart();
      lines = valueLines(m, defaults, om);
    }
    // OpenMetrics names the counter family without `_total` and its samples with it.
    const family = om && head.type === 'counter' && head.name.endsWith('_total') ? head.name.slice(0, -6) : head.name;
    // prom-client separates text-format families with a blank line.
    let chunk = `${!om && !first ? '\n' : ''}# HELP ${family} ${escapeHelp(head.help)}\n# TYPE ${family} ${head.type}\n`;
    first = false;
    // Formatting is synchronous per slice of items, so a slice makes no
    // promise or iterator result per line: only the strings it emits.
    for (let i = 0; i < lines.count; ) {
      const end = Math.min(lines.count, i + lines.step);
      chunk += lines.format(i, end);
      i = end;
      emit(chunk);
      chunk = '';
      await slice.pause();
    }
    emit(chunk);
    await slice.pause();
  }
  if (om) emit('# EOF\n');
  return out;
}

/** A family's sample lines, formatted a range of items at a time. */
interface Lines {
  count: number;
  /** Items per slice (a histogram series is several lines). */
  step: number;
  format(from: number, to: number): string;
}

/** A default label: its name and its formatted `name="value"`. */
type DefaultLabel = readonly [string, string];

/** Sample lines from prom-client's `get()` / `getForPromString()` values. */
function valueLines(m: { name: string; type: string; values?: MetricValue[] }, defaults: readonly DefaultLabel[], om: boolean): Lines {
  const values = m.values ?? [];
  const isCounter = m.type === 'counter';
  // prom-client reuses one sharedLabels object for a series' lines; format it once.
  const sharedCache = new WeakMap<object, string>();
  return {
    count: values.length,
    step: 256,
    format(from, to) {
      let chunk = '';
      for (let i = from; i < to; i++) {
        const val = values[i]!;
        let name = val.metricName ?? m.name;
        if (om && isCounter && !name.endsWith('_total')) name += '_total';
        let labels = '';
        const own = val.labels ?? {};
        const shared = val.sharedLabels;
        // Same label order as prom-client: own, then defaults, then shared.
        for (const k in own) if (!shared || !(k in shared)) labels += `${labels ? ',' : ''}${k}="${escapeLabel(String(own[k]))}"`;
        for (const [k, kv] of defaults) if (!(k in own) && (!shared || !(k in shared))) labels += `${labels ? ',' : ''}${kv}`;
        if (shared) {
          let flat = sharedCache.get(shared);
          if (flat === undefined) {
            flat = formatLabels(shared);
            sharedCache.set(shared, flat);
          }
          if (flat) labels += `${labels ? ',' : ''}${flat}`;
        }
        chunk += labels ? `${name}{${labels}} ${formatValue(val.value)}\n` : `${name} ${formatValue(val.value)}\n`;
      }
      return chunk;
    },
  };
}

/**
 * Sample lines of a family held as text ({@link CompactFamily}), a block at
 * a time. Default labels of the registry it is in are added as to any
 * family (parsing each line: not the path the SDK's own aggregate takes, as
 * its registry has none).
 */
function compactLines(f: CompactFamily, head: { name: string; type: string }, defaults: readonly DefaultLabel[], om: boolean): Lines {
  const counter = om && head.type === 'counter';
  return {
    count: f.blocks.length,
    step: 1,
    format(from, to) {
      let chunk = '';
      for (let b = from; b < to; b++) {
        const values = f.values[b]!;
        eachLine(f.blocks[b]!, (sample, i) => {
          let text = sample;
          if (defaults.length > 0 || counter) {
            const brace = text.indexOf('{');
            let name = brace === -1 ? text : text.slice(0, brace);
            let labels = brace === -1 ? '' : text.slice(brace + 1, -1);
            if (counter && !name.endsWith('_total')) name += '_total';
            if (defaults.length > 0) {
              const own = parseSampleLine(sample).labels;
              for (const [k, kv] of defaults) if (!(k in own)) labels += `${labels ? ',' : ''}${kv}`;
            }
            text = labels ? `${name}{${labels}}` : name;
          }
          chunk += `${text} ${formatValue(values[i]!)}\n`;
        });
      }
      return chunk;
    },
  };
}

/** `k="v",...` for a label set, in its own order. */
function formatLabels(labels: Record<string, string | number>): string {
  let s = '';
  for (const k in labels) s += `${s ? ',' : ''}${k}="${escapeLabel(String(labels[k]))}"`;
  return s;
}

/** The default labels a line carries besides `own` (label names) and the series' labels, formatted, with a leading comma. */
function defaultsBesides(defaults: readonly DefaultLabel[], series: Record<string, unknown>, own?: string): string {
  let s = '';
  for (const [k, kv] of defaults) if (k !== own && !(k in series)) s += `,${kv}`;
  return s;
}

interface FastSource {
  name: string;
  help: string;
  type: string;
  collect(): Promise<void>;
  lines(defaults: readonly DefaultLabel[], om: boolean): Lines;
}

/** One sample line; a line without labels has no braces, as prom-client writes it. */
const line = (name: string, labels: string, value: number) => (labels ? `${name}{${labels}} ${formatValue(value)}\n` : `${name} ${formatValue(value)}\n`);

/**
 * Reads prom-client's series map directly for counters, gauges and
 * histograms without exemplars. `metric.get()` copies every series into a
 * new array (and, for histograms, builds one object per bucket line) in one
 * synchronous step, which is most of the stall on a large family; here the
 * lines are formatted straight from the series, in slices, from a snapshot
 * of the keys ({@link seriesKeys}: for a large family, without listing the
 * object again). Anything else returns undefined and goes through `get()`.
 */
function fastSource(metric: unknown): FastSource | undefined {
  const m = seriesSource(metric);
  if (m === undefined) return undefined;
  const hist = m.type === 'histogram';
  return {
    name: m.name,
    help: m.help,
    type: m.type,
    async collect() {
      if (m.collect) await m.collect();
    },
    lines(defaults, om) {
      const { keys, map } = seriesKeys(m);
      if (!hist) {
        const name = om && m.type === 'counter' && !m.name.endsWith('_total') ? `${m.name}_total` : m.name;
        return perSeries(keys, map, 256, (e) => {
          // Own labels, then the default labels the series does not set.
          const own = formatLabels(e.labels);
          const d = defaultsBesides(defaults, e.labels);
          return line(name, own ? own + d : d.slice(1), e.value ?? 0);
        });
      }
      const bounds = m.upperBounds!;
      const les = [...bounds.map((ub) => `le="${escapeLabel(String(ub))}"`), 'le="+Inf"'];
      const bucket = `${m.name}_bucket`;
      const sum = `${m.name}_sum`;
      const count = `${m.name}_count`;
      return perSeries(keys, map, 32, (e) => {
        // prom-client's order: the line's own labels (le) unless the series
        // sets them, then default labels set by neither, then the series'
        // labels.
        const shared = formatLabels(e.labels);
        const tail = shared ? `,${shared}` : '';
        const withLe = !('le' in e.labels);
        const rest = defaultsBesides(defaults, e.labels, 'le') + tail;
        let text = '';
        let acc = 0;
        for (let b = 0; b <= bounds.length; b++) {
          const labels = withLe ? les[b]! + rest : rest.slice(1);
          if (b < bounds.length) acc += e.bucketValues?.[bounds[b]!] ?? 0;
          text += line(bucket, labels, b < bounds.length ? acc : (e.count ?? 0));
        }
        const plain = (defaultsBesides(defaults, e.labels) + tail).slice(1);
        return text + line(sum, plain, e.sum ?? 0) + line(count, plain, e.count ?? 0);
      });
    },
  };
}

/** The lines of the series under `keys`, `step` series per slice; a series removed since the keys were taken is skipped. */
function perSeries(keys: string[], map: Record<string, Series>, step: number, format: (e: Series) => string): Lines {
  return {
    count: keys.length,
    step,
    format(from, to) {
      let chunk = '';
      for (let i = from; i < to; i++) {
        const e = map[keys[i]!];
        if (e !== undefined) chunk += format(e);
      }
      return chunk;
    },
  };
}
