import type { Labels } from '@vigil/core';
import type { ScrapeConfig } from '../config/index.ts';

/**
 * Checks one series against label_limit, label_name_length_limit and
 * label_value_length_limit (0 = unlimited); returns Prometheus's message for
 * the first violation, or undefined.
 */
export function checkLabelLimits(ls: Labels, cfg: Pick<ScrapeConfig, 'label_limit' | 'label_name_length_limit' | 'label_value_length_limit'>): string | undefined {
  if (cfg.label_limit === 0 && cfg.label_name_length_limit === 0 && cfg.label_value_length_limit === 0) return undefined;
  const metric = (ls.find((l) => l.name === '__name__')?.value ?? '').slice(0, 50);
  // __name__ does not count towards label_limit, as in Prometheus's verifyLabelLimits.
  const n = ls.length - (ls.some((l) => l.name === '__name__') ? 1 : 0);
  if (cfg.label_limit > 0 && n > cfg.label_limit) return `label_limit exceeded (metric: ${metric}, number of labels: ${n}, limit: ${cfg.label_limit})`;
  for (const l of ls) {
    if (cfg.label_name_length_limit > 0 && l.name.length > cfg.label_name_length_limit) {
      return `label_name_length_limit exceeded (metric: ${metric}, label name: ${l.name.slice(0, 50)}, length: ${l.name.length}, limit: ${cfg.label_name_length_limit})`;
    }
    if (cfg.label_value_length_limit > 0 && l.value.length > cfg.label_value_length_limit) {
      return `label_value_length_limit exceeded (metric: ${metric}, label name: ${l.name.slice(0, 50)}, value: ${JSON.stringify(l.value.slice(0, 50))}, length: ${l.value.length}, limit: ${cfg.label_value_length_limit})`;
    }
  }
  return undefined;
}
