import type { Matcher } from '@vigil/core';
import { formatDuration, isLegacyLabelName, isLegacyMetricName } from '@vigil/core';
import type { AtModifier, Expr, VectorSelector } from './ast.ts';
import { formatDurationExpr, type DurationExpr } from './duration-expr.ts';

/**
 * Prints an expression the way Prometheus's `String()` methods do, so
 * `/api/v1/format_query` and the promqltest @-rewrite see the same text as
 * upstream. Parentheses come only from `paren` nodes, as in Prometheus.
 */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return e.duration ? formatDuration(Math.round(e.value * 1000)) : formatNumber(e.value);
    case 'string':
      return goQuote(e.value);
    case 'paren':
      return `(${formatExpr(e.expr)})`;
    case 'unary':
      return `${e.op}${formatExpr(e.expr)}`;
    case 'vector':
      return formatVectorSelector(e) + atOffset(e.at, e.offset, e.offsetExpr) + (e.extended ? ` ${e.extended}` : '');
    case 'matrix':
      return `${formatVectorSelector(e.vs)}[${e.rangeExpr ? formatDurationExpr(e.rangeExpr) : formatDuration(e.range)}]${atOffset(e.vs.at, e.vs.offset, e.vs.offsetExpr)}${e.vs.extended ? ` ${e.vs.extended}` : ''}`;
    case 'subquery': {
      const range = e.rangeExpr ? formatDurationExpr(e.rangeExpr) : formatDuration(e.range);
      const step = e.stepExpr ? formatDurationExpr(e.stepExpr) : e.step ? formatDuration(e.step) : '';
      return `${formatExpr(e.expr)}[${range}:${step}]${atOffset(e.at, e.offset, e.offsetExpr)}`;
    }
    case 'call':
      return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'aggregate': {
      let s = e.op;
      if (e.without) s += ` without (${e.grouping.map(labelName).join(', ')}) `;
      else if (e.grouping.length > 0) s += ` by (${e.grouping.map(labelName).join(', ')}) `;
      s += '(';
      if (e.param) s += `${formatExpr(e.param)}, `;
      return `${s}${formatExpr(e.expr)})`;
    }
    case 'binary': {
      let matching = '';
      const vm = e.matching;
      if (vm && (vm.labels.length > 0 || vm.on)) {
        matching = ` ${vm.on ? 'on' : 'ignoring'} (${vm.labels.map(labelName).join(', ')})`;
        if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
          matching += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${vm.include.map(labelName).join(', ')})`;
        }
      }
      if (vm && (vm.fillLeft !== undefined || vm.fillRight !== undefined)) {
        const same = vm.fillLeft !== undefined && vm.fillRight !== undefined && Object.is(vm.fillLeft, vm.fillRight);
        if (same) matching += ` fill(${formatNumber(vm.fillLeft!)})`;
        else {
          if (vm.fillLeft !== undefined) matching += ` fill_left(${formatNumber(vm.fillLeft)})`;
          if (vm.fillRight !== undefined) matching += ` fill_right(${formatNumber(vm.fillRight)})`;
        }
      }
      return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matching} ${formatExpr(e.rhs)}`;
    }
  }
}

function atOffset(at: AtModifier | undefined, offset: number, offsetExpr?: DurationExpr): string {
  let s = '';
  if (at) {
    if (at.type === 'start') s += ' @ start()';
    else if (at.type === 'end') s += ' @ end()';
    else s += ` @ ${(at.t / 1000).toFixed(3)}`;
  }
  if (offsetExpr) s += ` offset ${offsetExpr.kind === 'num' || offsetExpr.kind === 'paren' || offsetExpr.kind === 'call' ? formatDurationExpr(offsetExpr) : `(${formatDurationExpr(offsetExpr)})`}`;
  else if (offset > 0) s += ` offset ${formatDuration(offset)}`;
  else if (offset < 0) s += ` offset -${formatDuration(-offset)}`;
  return s;
}

function formatVectorSelector(vs: VectorSelector): string {
  const ms: Matcher[] = [];
  let nameShown = false;
  for (const m of vs.matchers) {
    // The metric name is printed in front unless it is the only way to say it.
    if (vs.name && m.name === '__name__' && m.type === '=' && m.value === vs.name && !nameShown) {
      nameShown = true;
      continue;
    }
    ms.push(m);
  }
  const legacyName = vs.name !== '' && isLegacyMetricName(vs.name);
  let head = legacyName ? vs.name : '';
  const parts = ms.map(formatMatcher);
  if (vs.name && !legacyName) parts.unshift(goQuote(vs.name));
  if (parts.length === 0) return head || '{}';
  return `${head}{${parts.join(', ')}}`;
}

/** One matcher as Prometheus prints it: `name="value"`, quoting non-legacy names. */
export function formatMatcher(m: Matcher): string {
  return `${labelName(m.name)}${m.type}${goQuote(m.value)}`;
}

function labelName(n: string): string {
  return isLegacyLabelName(n) ? n : goQuote(n);
}

/** Go's `fmt.Sprint(float64)`: shortest repr, exponent form below 1e-4 or from 1e21. */
export function formatNumber(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const abs = Math.abs(v);
  if (abs >= 1e21 || abs < 1e-4) {
    const [mant, exp] = v.toExponential().split('e') as [string, string];
    const n = Number(exp);
    const sign = n < 0 ? '-' : '+';
    const digits = String(Math.abs(n)).padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  return String(v);
}

/** Go's strconv.Quote for the printable subset PromQL strings use. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}
