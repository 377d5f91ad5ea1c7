/**
 * Command-line flags with Prometheus's spellings. Values keep their text
 * form (as `/api/v1/status/flags` reports them); typed accessors convert.
 */
export interface FlagSpec {
  readonly name: string;
  readonly help: string;
  /** Text default; '' for none. Booleans use 'false'/'true'. */
  readonly default: string;
  readonly kind: 'string' | 'bool' | 'duration' | 'bytes' | 'int';
}

export class FlagError extends Error {}

/** Parses `--name=value`, `--name value`, `--bool`, `--no-bool`; positional args are returned apart. */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[]): { values: Map<string, string>; args: string[]; set: Set<string> } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map(specs.map((s) => [s.name, s.default]));
  const set = new Set<string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      args.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    let name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    let value: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.kind === 'bool') {
      name = name.slice(3);
      spec = byName.get(name)!;
      value = 'false';
    }
    if (!spec) throw new FlagError(`unknown long flag '--${name}'`);
    if (spec.kind === 'bool') {
      value ??= 'true';
      if (value !== 'true' && value !== 'false') throw new FlagError(`--${name}: expected true or false, got ${JSON.stringify(value)}`);
    } else if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new FlagError(`expected argument for flag '--${name}'`);
    }
    values.set(name, value);
    set.add(name);
  }
  return { values, args, set };
}

/** Renders `--help` text. */
export function flagsHelp(specs: readonly FlagSpec[]): string {
  return specs
    .map((s) => {
      const head = s.kind === 'bool' ? `--${s.name}` : `--${s.name}=${s.kind.toUpperCase()}`;
      const def = s.default && s.kind !== 'bool' ? ` (default: ${s.default})` : '';
      return `  ${head.padEnd(48)} ${s.help}${def}`;
    })
    .join('\n');
}
