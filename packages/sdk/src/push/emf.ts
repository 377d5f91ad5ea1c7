import type { Registry } from 'prom-client';
import { DeltaTracker, snapshot } from './snapshot.ts';

/** Options of {@link EmfExporter}. */
export interface EmfOptions {
  /** CloudWatch namespace, e.g. `MyApp/API`. */
  namespace: string;
  /** Label names used as CloudWatch dimensions (default: every label of the sample). */
  dimensions?: string[];
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/**
 * Renders a registry as CloudWatch Embedded Metric Format lines: one JSON
 * object per series, which CloudWatch Logs turns into metrics when written to
 * a Lambda's or the CloudWatch agent's log stream. Counters are sent as
 * deltas since the previous call (CloudWatch sums per period), gauges as is.
 */
export class EmfExporter {
  private readonly deltas = new DeltaTracker();

  constructor(
    private readonly registry: Registry,
    private readonly opts: EmfOptions,
  ) {}

  /** The EMF lines for the current values (no trailing newline on each). */
  async lines(): Promise<string[]> {
    const ts = (this.opts.now ?? Date.now)();
    const out: string[] = [];
    for (const s of await snapshot(this.registry)) {
      const value = s.type === 'counter' ? this.deltas.delta(s) : s.value;
      const dims = (this.opts.dimensions ?? Object.keys(s.labels)).filter((d) => d in s.labels);
      const unit = s.name.endsWith('_seconds') || s.name.endsWith('_seconds_sum') ? 'Seconds' : s.name.endsWith('_bytes') ? 'Bytes' : s.type === 'counter' ? 'Count' : 'None';
      out.push(
        JSON.stringify({
          _aws: { Timestamp: ts, CloudWatchMetrics: [{ Namespace: this.opts.namespace, Dimensions: [dims], Metrics: [{ Name: s.name, Unit: unit }] }] },
          ...s.labels,
          [s.name]: value,
        }),
      );
    }
    return out;
  }
}
