import { createHash } from 'node:crypto';
import { compileAnchored, LabelsBuilder, type Labels } from '@vigil/core';
import type { RelabelConfig } from '../../config/index.ts';

/** A relabel config with its regex compiled once. */
export interface CompiledRelabel {
  cfg: RelabelConfig;
  re: RegExp;
}

export function compileRelabel(cfgs: readonly RelabelConfig[]): CompiledRelabel[] {
  return cfgs.map((cfg) => ({ cfg, re: compileAnchored(cfg.regex) }));
}

/**
 * Applies relabel rules in order as Prometheus's `relabel.Process` does.
 * Returns the new label set, or undefined when a rule dropped it.
 */
export function relabel(ls: Labels, rules: readonly CompiledRelabel[]): Labels | undefined {
  if (rules.length === 0) return ls;
  const b = new LabelsBuilder(ls);
  for (const r of rules) if (!applyOne(b, r)) return undefined;
  return b.labels();
}

function expand(template: string, m: RegExpExecArray): string {
  // Go's regexp.Expand: $1, ${1}, $name, ${name}; `$$` is a literal dollar.
  return template.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_, all: string, braced?: string, bare?: string) => {
    if (all === '$') return '$';
    const key = braced ?? bare!;
    if (/^\d+$/.test(key)) return m[Number(key)] ?? '';
    return m.groups?.[key] ?? '';
  });
}

function applyOne(b: LabelsBuilder, { cfg, re }: CompiledRelabel): boolean {
  const val = cfg.source_labels.map((n) => b.get(n)).join(cfg.separator);
  switch (cfg.action) {
    case 'drop':
      return !re.test(val);
    case 'keep':
      return re.test(val);
    case 'dropequal':
      return b.get(cfg.target_label) !== val;
    case 'keepequal':
      return b.get(cfg.target_label) === val;
    case 'replace': {
      const m = re.exec(val);
      if (!m) return true;
      const target = expand(cfg.target_label, m);
      if (target === '') return true;
      const res = expand(cfg.replacement, m);
      if (res === '') b.del(target);
      else b.set(target, res);
      return true;
    }
    case 'lowercase':
      b.set(cfg.target_label, val.toLowerCase());
      return true;
    case 'uppercase':
      b.set(cfg.target_label, val.toUpperCase());
      return true;
    case 'hashmod': {
      // Prometheus: the first 8 bytes of the MD5 sum, big-endian, modulo.
      const sum = createHash('md5').update(val).digest();
      const mod = sum.readBigUInt64BE(8) % BigInt(cfg.modulus);
      b.set(cfg.target_label, String(mod));
      return true;
    }
    case 'labelmap': {
      for (const l of b.labels()) {
        const m = re.exec(l.name);
        if (m) b.set(expand(cfg.replacement, m), l.value);
      }
      return true;
    }
    case 'labeldrop':
      for (const l of b.labels()) if (re.test(l.name)) b.del(l.name);
      return true;
    case 'labelkeep':
      for (const l of b.labels()) if (!re.test(l.name)) b.del(l.name);
      return true;
  }
}
