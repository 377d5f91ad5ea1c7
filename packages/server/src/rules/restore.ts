import { Matcher } from '@vigil/core';
import type { Queryable } from '../storage/index.ts';
import { AlertingRule } from './alerting.ts';
import type { Group } from './group.ts';

/** Prometheus's `--rules.alert.for-outage-tolerance` and `--rules.alert.for-grace-period`, ms. */
export interface RestoreOptions {
  outageTolerance: number;
  forGracePeriod: number;
}

/**
 * Restores the `activeAt` of pending and firing alerts from the
 * `ALERTS_FOR_STATE` series written before a restart (Prometheus's
 * `Group.RestoreForState`), so an alert fires on time instead of `for`
 * later. Called once after a group's first evaluation at start-up.
 *
 * - Time spent pending before the outage counts; the outage itself is added
 *   back so that only the time the server was up counts towards `for`.
 * - If less than the grace period remains, the alert gets the grace period.
 * - Rules whose `for` is below the grace period are not restored.
 */
export async function restoreForState(group: Group, queryable: Queryable, ts: number, opts: RestoreOptions): Promise<void> {
  const mint = ts - opts.outageTolerance;
  const q = await queryable.querier(mint, ts);
  try {
    for (const rule of group.rules) {
      if (!(rule instanceof AlertingRule)) continue;
      if (rule.holdDuration < opts.forGracePeriod) {
        rule.restored = true;
        continue;
      }
      for (const a of rule.active.values()) {
        if (a.state === 'inactive') continue;
        const matchers = [new Matcher('=', '__name__', 'ALERTS_FOR_STATE'), ...a.labels.map((l) => new Matcher('=', l.name, l.value))];
        const set = await q.select(false, { start: mint, end: ts }, ...matchers);
        let t = -Infinity;
        let v = NaN;
        for (const s of set.series) {
          // Only the exact label set: extra labels would be another alert.
          if (s.labels.length !== a.labels.length + 1) continue;
          const it = s.iterator();
          while (it.next()) {
            if (it.t < mint || it.t > ts) continue;
            if (Number.isNaN(it.v)) continue;
            t = it.t;
            v = it.v;
          }
        }
        if (!Number.isFinite(t) || Number.isNaN(v)) continue;
        const downAt = Math.floor(t / 1000) * 1000;
        let activeAt = Math.trunc(v) * 1000;
        const spentPending = downAt - activeAt;
        const remaining = rule.holdDuration - spentPending;
        if (remaining <= 0) {
          // Already past `for` before the outage: it fires at the next evaluation.
        } else if (remaining < opts.forGracePeriod) {
          activeAt = ts + opts.forGracePeriod - rule.holdDuration;
        } else {
          activeAt += ts - downAt;
        }
        a.activeAt = activeAt;
      }
      rule.restored = true;
    }
  } finally {
    q.close();
  }
}
