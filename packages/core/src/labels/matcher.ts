import { compileLinear, type LinearRegex } from './regex.ts';
import type { Labels } from './labels.ts';
import { getLabel } from './labels.ts';

export type MatchType = '=' | '!=' | '=~' | '!~';

/**
 * A label matcher, as in PromQL selectors and Alertmanager routes.
 * Regex matchers use RE2 syntax and are fully anchored. Immutable once built.
 */
export class Matcher {
  private readonly re: LinearRegex | undefined;

  /** @throws RegexSyntaxError when `type` is a regex type and `value` is not a valid RE2 pattern. */
  constructor(
    readonly type: MatchType,
    readonly name: string,
    readonly value: string,
  ) {
    // Linear-time RE2 matching: matchers come from untrusted queries and routes.
    if (type === '=~' || type === '!~') this.re = compileLinear(value);
  }

  /** Tests one label value; an absent label is the empty string. */
  matches(v: string): boolean {
    switch (this.type) {
      case '=':
        return v === this.value;
      case '!=':
        return v !== this.value;
      case '=~':
        return this.re!.test(v);
      case '!~':
        return !this.re!.test(v);
    }
  }

  /** True when the matcher matches the empty string, i.e. also matches series lacking the label. */
  matchesEmpty(): boolean {
    return this.matches('');
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

/** True when every matcher matches the label set. */
export function matchLabels(ms: readonly Matcher[], ls: Labels): boolean {
  for (const m of ms) if (!m.matches(getLabel(ls, m.name))) return false;
  return true;
}
