import { Matcher, type MatchType } from '@vigil/core';

/**
 * Parses Alertmanager's matcher syntax as used in `matchers:` lists, amtool
 * arguments and the API filter: `name="value"`, `name=~"re"`, `name!=value`,
 * optionally wrapped in braces and comma-separated (`{a="1",b=~"x|y"}`).
 * Unquoted values are taken verbatim (trimmed), as Alertmanager's classic
 * parser does. Regex values are RE2, fully anchored.
 *
 * @throws Error with a message naming the bad input.
 */
export function parseMatchers(input: string): Matcher[] {
  let s = input.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const out: Matcher[] = [];
  for (const part of splitTopLevel(s)) {
    if (part.trim() === '') continue;
    out.push(parseMatcher(part));
  }
  return out;
}

const MATCHER_RE = /^\s*([^!=~\s"]+|"(?:[^"\\]|\\.)*")\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/** Parses one matcher such as `severity=~"crit|warn"`. */
export function parseMatcher(input: string): Matcher {
  const m = MATCHER_RE.exec(input);
  if (!m) throw new Error(`bad matcher format: ${input}`);
  let name = m[1]!;
  if (name.startsWith('"')) name = unquote(name);
  const type = m[2] as MatchType;
  let value = m[3]!;
  if (value.startsWith('"')) {
    if (value.length < 2 || !value.endsWith('"')) throw new Error(`bad matcher format: ${input}`);
    value = unquote(value);
  }
  try {
    return new Matcher(type, name, value);
  } catch (err) {
    throw new Error(`invalid regular expression in matcher ${input}: ${(err as Error).message}`);
  }
}

function unquote(q: string): string {
  const body = q.slice(1, -1);
  return body.replace(/\\(.)/gs, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** Splits on commas outside double quotes. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inQ && c === '\\') {
      cur += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inQ = !inQ;
    if (c === ',' && !inQ) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Tests matchers against a label map; an absent label is the empty string. */
export function matchesLabelSet(ms: readonly Matcher[], ls: Readonly<Record<string, string>>): boolean {
  for (const m of ms) if (!m.matches(ls[m.name] ?? '')) return false;
  return true;
}
