import type { Labels } from '@vigil/core';
import type { RuleFile } from '../model/rulefmt/index.ts';
import { AlertingRule } from './alerting.ts';
import { Group, type GroupDeps } from './group.ts';
import { RecordingRule } from './recording.ts';
import type { Rule } from './types.ts';

/** Defaults for groups that do not set their own. Times in ms. */
export interface GroupDefaults {
  interval: number;
  queryOffset: number;
}

/** Group labels apply to every rule; the rule's own labels win. */
function mergeLabels(group: Labels, rule: Labels): Labels {
  const m = new Map(group.map((l) => [l.name, l.value]));
  for (const l of rule) m.set(l.name, l.value);
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, value]) => ({ name, value }));
}

/** Builds the groups of a parsed rule file. */
export function buildGroups(rf: RuleFile, defaults: GroupDefaults, deps: GroupDeps): Group[] {
  return rf.groups.map((g) => {
    const rules: Rule[] = g.rules.map((r) => {
      const labels = mergeLabels(g.labels, r.labels);
      if (r.record !== undefined) return new RecordingRule(r.record, r.expr, labels);
      return new AlertingRule(r.alert!, r.expr, r.for, r.keep_firing_for, labels, r.annotations);
    });
    return new Group(
      { name: g.name, file: rf.file, interval: g.interval ?? defaults.interval, queryOffset: g.query_offset ?? defaults.queryOffset, limit: g.limit, rules },
      deps,
    );
  });
}
