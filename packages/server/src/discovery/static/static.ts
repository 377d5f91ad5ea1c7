import type { StaticConfig } from '../../config/index.ts';
import type { TargetGroup } from '../target-group.ts';

/** Turns `static_configs` into target groups, one per entry, sourced by index as Prometheus does. */
export function staticGroups(configs: readonly StaticConfig[]): TargetGroup[] {
  return configs.map((s, i) => ({ source: String(i), labels: { ...s.labels }, targets: s.targets.map((t) => ({ __address__: t })) }));
}
