import type { Matcher } from '@vigil/core';
import type { RouteConfig } from '../config/index.ts';
import { matchesLabelSet } from '../config/index.ts';

/** Alertmanager's matcher type order, used when sorting a route's matchers. */
const TYPE_ORDER: Record<string, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

/** Formats a matcher as Alertmanager does (`name="value"`, Go-quoted value). */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.type}${goQuote(m.value)}`;
}

/** Go's strconv.Quote for the common cases (ASCII escapes; non-ASCII printable kept). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** Formats a label map like Go's model.LabelSet.String(): sorted, `{a="1", b="2"}`. */
export function formatLabelSet(ls: Readonly<Record<string, string>>): string {
  return `{${Object.keys(ls)
    .sort()
    .map((k) => `${k}=${goQuote(ls[k]!)}`)
    .join(', ')}}`;
}

/**
 * A node of the routing tree: pure data plus {@link Route.match} and
 * {@link Route.walk}, as Alertmanager's dispatch/route.go. Immutable once
 * built; safe to share between dispatchers.
 */
export class Route {
  readonly parent: Route | undefined;
  readonly routes: Route[];
  readonly matchers: readonly Matcher[];
  /** Position among the parent's children, or 0 for the root. */
  readonly idx: number;
  private readonly keyStr: string;

  constructor(
    readonly opts: RouteConfig,
    parent?: Route,
    idx = 0,
  ) {
    this.parent = parent;
    this.idx = idx;
    // Alertmanager sorts a route's matchers (name, value, type) so keys are stable.
    this.matchers = [...opts.matchers].sort(
      (a, b) => cmp(a.name, b.name) || cmp(a.value, b.value) || TYPE_ORDER[a.type]! - TYPE_ORDER[b.type]!,
    );
    const own = `{${this.matchers.map(formatMatcher).join(',')}}`;
    this.keyStr = parent ? `${parent.keyStr}/${own}` : own;
    this.routes = opts.routes.map((c, i) => new Route(c, this, i));
  }

  get receiver(): string {
    return this.opts.receiver;
  }

  get continue(): boolean {
    return this.opts.continue;
  }

  /** The route's key, used in group keys: matchers of every ancestor joined by `/`. */
  key(): string {
    return this.keyStr;
  }

  /** Like {@link key} plus the child index, unique even for routes with equal matchers. */
  id(): string {
    const k = this.parent ? `${this.parent.id()}/${this.keyStr.slice(this.parent.keyStr.length + 1)}/${this.idx}` : this.keyStr;
    return k;
  }

  /**
   * The routes an alert with these labels goes to: depth-first, stopping at
   * the first matching child unless it has `continue`, and the node itself
   * when no child matches. Empty when this node's matchers don't match.
   */
  match(ls: Readonly<Record<string, string>>): Route[] {
    if (!matchesLabelSet(this.matchers, ls)) return [];
    const all: Route[] = [];
    for (const c of this.routes) {
      const m = c.match(ls);
      all.push(...m);
      if (m.length > 0 && !c.continue) break;
    }
    if (all.length === 0) all.push(this);
    return all;
  }

  /** Visits this node and its descendants, parents first. */
  walk(visit: (r: Route) => void): void {
    visit(this);
    for (const c of this.routes) c.walk(visit);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
