import type { Logger } from '@vigil/core';
import type { AlertStore } from '../provider/index.ts';
import type { Alert, Clock, LabelSet } from '../types.ts';
import { fingerprint } from '../types.ts';
import { AggrGroup, type FlushFn } from './aggr-group.ts';
import { formatLabelSet, type Route } from './route.ts';

/** Alertmanager drops empty aggregation groups on this period. */
const MAINTENANCE_INTERVAL = 30_000;

/**
 * Routes each alert from the store to its aggregation groups (one per
 * matched route and group-label set) and runs their timers (Alertmanager's
 * dispatch.Dispatcher). Single-threaded: all state changes happen in store
 * callbacks and timers.
 */
export class Dispatcher {
  private readonly groups = new Map<Route, Map<string, AggrGroup>>();
  private unsubscribe: (() => void) | undefined;
  private maintenance: unknown;

  constructor(
    private readonly route: Route,
    private readonly store: AlertStore,
    private readonly clock: Clock,
    private readonly flush: FlushFn,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((a) => this.process(a));
    const tick = () => {
      this.doMaintenance();
      this.maintenance = this.clock.setTimeout(tick, MAINTENANCE_INTERVAL);
    };
    this.maintenance = this.clock.setTimeout(tick, MAINTENANCE_INTERVAL);
  }

  stop(): void {
    this.unsubscribe?.();
    this.clock.clearTimeout(this.maintenance);
    for (const m of this.groups.values()) for (const g of m.values()) g.stop();
    this.groups.clear();
  }

  /** Every live group, for `/api/v2/alerts/groups`. */
  listGroups(): AggrGroup[] {
    const out: AggrGroup[] = [];
    for (const m of this.groups.values()) for (const g of m.values()) out.push(g);
    return out;
  }

  private process(a: Alert): void {
    for (const r of this.route.match(a.labels)) {
      const labels = groupLabels(a.labels, r);
      const fp = fingerprint(labels);
      let m = this.groups.get(r);
      if (!m) this.groups.set(r, (m = new Map()));
      let g = m.get(fp);
      if (!g) {
        g = new AggrGroup(r, labels, `${r.key()}:${formatLabelSet(labels)}`, this.clock, this.flush, this.logger);
        m.set(fp, g);
        g.insert(a);
        g.run();
        // run() set the group_wait timer; an old alert must still flush at once.
        g.insert(a);
      } else g.insert(a);
    }
  }

  private doMaintenance(): void {
    for (const m of this.groups.values()) for (const [fp, g] of m) if (g.empty()) {
      g.stop();
      m.delete(fp);
    }
  }
}

/** The alert's labels named in the route's group_by (all of them for `...`). */
export function groupLabels(ls: LabelSet, r: Route): LabelSet {
  if (r.opts.group_by_all) return ls;
  const out: Record<string, string> = {};
  for (const n of r.opts.group_by) if (ls[n] !== undefined) out[n] = ls[n];
  return out;
}
