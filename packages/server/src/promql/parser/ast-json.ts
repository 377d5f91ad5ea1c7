import type { Matcher } from '@vigil/core';
import type { AtModifier, Expr, VectorSelector } from './ast.ts';
import { FUNCTIONS } from './functions-table.ts';
import { typeOf } from './parser.ts';

/**
 * The JSON tree `/api/v1/parse_query` answers with, in the shape of
 * Prometheus's web/api/v1 AST translation (the tree view of its UI and
 * PromLens read it): a `type` per node, durations in ms, `timestamp` and
 * `startOrEnd` from the `@` modifier.
 */
export function astJSON(e: Expr): unknown {
  switch (e.kind) {
    case 'aggregate':
      return { type: 'aggregation', op: e.op, expr: astJSON(e.expr), param: e.param ? astJSON(e.param) : null, grouping: e.grouping, without: e.without };
    case 'binary': {
      let matching: unknown = null;
      if (typeOf(e.lhs) === 'vector' && typeOf(e.rhs) === 'vector') {
        const m = e.matching ?? { card: 'one-to-one', on: false, labels: [], include: [] };
        matching = {
          card: m.card,
          labels: m.labels,
          on: m.on,
          include: m.include,
          fillValues: { lhs: m.fillLeft ?? null, rhs: m.fillRight ?? null },
        };
      }
      return { type: 'binaryExpr', op: e.op, lhs: astJSON(e.lhs), rhs: astJSON(e.rhs), matching, bool: e.returnBool };
    }
    case 'call': {
      const sig = FUNCTIONS[e.func];
      return {
        type: 'call',
        func: { name: e.func, argTypes: sig?.args ?? [], variadic: sig?.variadic ?? 0, returnType: sig?.returns ?? 'vector' },
        args: e.args.map(astJSON),
      };
    }
    case 'matrix':
      return {
        type: 'matrixSelector',
        name: e.vs.name,
        range: e.range,
        offset: e.vs.offset,
        matchers: matchersJSON(e.vs),
        timestamp: timestamp(e.vs.at),
        startOrEnd: startOrEnd(e.vs.at),
        anchored: e.vs.extended === 'anchored',
        smoothed: e.vs.extended === 'smoothed',
      };
    case 'subquery':
      return {
        type: 'subquery',
        expr: astJSON(e.expr),
        range: e.range,
        offset: e.offset,
        step: e.step,
        timestamp: timestamp(e.at),
        startOrEnd: startOrEnd(e.at),
        alignEvalTime: false,
      };
    case 'number':
      return { type: 'numberLiteral', val: goFloat(e.value) };
    case 'paren':
      return { type: 'parenExpr', expr: astJSON(e.expr) };
    case 'string':
      return { type: 'stringLiteral', val: e.value };
    case 'unary':
      return { type: 'unaryExpr', op: e.op, expr: astJSON(e.expr) };
    case 'vector':
      return {
        type: 'vectorSelector',
        name: e.name,
        offset: e.offset,
        matchers: matchersJSON(e),
        timestamp: timestamp(e.at),
        startOrEnd: startOrEnd(e.at),
        anchored: e.extended === 'anchored',
        smoothed: e.extended === 'smoothed',
      };
  }
}

/** Prometheus lists the matcher of a metric name written before the braces last. */
function matchersJSON(vs: VectorSelector): { name: string; value: string; type: string }[] {
  let ms: Matcher[] = vs.matchers;
  if (vs.name && ms[0]?.name === '__name__') ms = [...ms.slice(1), ms[0]];
  return ms.map((m) => ({ name: m.name, value: m.value, type: m.type }));
}

function timestamp(at: AtModifier | undefined): number | null {
  return at?.type === 'time' ? at.t : null;
}

function startOrEnd(at: AtModifier | undefined): string | null {
  return at && at.type !== 'time' ? at.type : null;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
function goFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v !== v) return 'NaN';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!s.includes('e')) return s;
  const [mant, expStr] = s.split('e') as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = (neg ? mant.slice(1) : mant).replace('.', '');
  const intLen = (neg ? mant.slice(1) : mant).indexOf('.') < 0 ? digits.length : (neg ? mant.slice(1) : mant).indexOf('.');
  const point = intLen + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return neg ? '-' + out : out;
}
