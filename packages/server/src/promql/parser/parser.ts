import { Matcher, parseDuration, type MatchType, RegexSyntaxError } from '@vigil/core';
import { evalDuration, isDynamic, type DurationExpr } from './duration-expr.ts';
import type { AtModifier, Expr, PosRange, ValueType, VectorMatching, VectorSelector } from './ast.ts';
import { lex, parseError, type Token } from './lexer.ts';
import { AGGREGATIONS, FUNCTIONS } from './functions-table.ts';

const KEYWORD_OPS = new Set(['and', 'or', 'unless', 'atan2']);
const COMPARISON = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set(['and', 'or', 'unless']);

/** Binary operator precedence, higher binds tighter (promql/parser/lex.go). */
function precedence(op: string): number {
  switch (op) {
    case 'or':
      return 1;
    case 'and':
    case 'unless':
      return 2;
    case '==':
    case '!=':
    case '<=':
    case '<':
    case '>=':
    case '>':
    case '</':
    case '>/':
      return 3;
    case '+':
    case '-':
      return 4;
    case '*':
    case '/':
    case '%':
    case 'atan2':
      return 5;
    case '^':
      return 6;
    default:
      return 0;
  }
}

/** The value type an expression evaluates to. */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
      return 'vector';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'call':
      return FUNCTIONS[e.func]!.returns;
    case 'aggregate':
      return 'vector';
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
  }
}

const TYPE_NAMES: Record<ValueType, string> = { scalar: 'scalar', vector: 'instant vector', matrix: 'range vector', string: 'string' };

class Parser {
  /** Set while parsing info()'s data-label selector. */
  private allowEmptySelector = false;
  private i = 0;

  constructor(
    private readonly input: string,
    private readonly toks: Token[],
  ) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  private next(): Token {
    return this.toks[this.i++]!;
  }

  private fail(t: Token, msg: string): never {
    throw parseError(this.input, t.pos, t.end, msg);
  }

  private describe(t: Token): string {
    if (t.type === 'eof') return 'end of input';
    if (t.type === 'ident' && KEYWORD_OPS.has(t.text.toLowerCase())) return `<op:${t.text}>`;
    if (t.type === 'op') return `<op:${t.text}>`;
    if (t.type === 'number') return `number "${t.text}"`;
    if (t.type === 'string') return `string ${t.text}`;
    if (t.type === 'duration') return `duration "${t.text}"`;
    if (t.type === 'ident' || t.type === 'metric') return `identifier "${t.text}"`;
    return `"${t.text}"`;
  }

  private unexpected(t: Token, context?: string): never {
    if (t.type === 'eof') this.fail(t, context ? `unexpected end of input${context}` : 'unexpected end of input');
    this.fail(t, `unexpected ${this.describe(t)}${context ?? ''}`);
  }

  private expect(type: Token['type'], context: string): Token {
    const t = this.peek();
    if (t.type !== type) this.unexpected(t, context);
    return this.next();
  }

  parse(): Expr {
    if (this.peek().type === 'eof') this.fail(this.peek(), 'no expression found in input');
    const e = this.expr(0);
    const t = this.peek();
    if (t.type !== 'eof') this.unexpected(t);
    return e;
  }

  private binaryOp(): string | undefined {
    const t = this.peek();
    if (t.type === 'op' && t.text !== '=' && t.text !== '=~' && t.text !== '!~') return t.text;
    if (t.type === 'ident' && KEYWORD_OPS.has(t.text.toLowerCase())) return t.text.toLowerCase();
    return undefined;
  }

  private expr(minPrec: number): Expr {
    let lhs = this.unary();
    for (;;) {
      const op = this.binaryOp();
      if (!op) return lhs;
      const prec = precedence(op);
      if (prec < minPrec || prec === 0) return lhs;
      const opTok = this.next();
      let returnBool = false;
      if (this.peekKeyword('bool')) {
        this.next();
        returnBool = true;
        if (!COMPARISON.has(op)) this.fail(opTok, 'bool modifier can only be used on comparison operators');
      }
      const matching = this.vectorMatching(op);
      // `^` is right-associative; the rest are left-associative.
      const rhs = this.expr(op === '^' ? prec : prec + 1);
      lhs = this.checkBinary({ kind: 'binary', op, lhs, rhs, returnBool, matching, pos: { start: lhs.pos.start, end: rhs.pos.end } }, opTok);
    }
  }

  private peekKeyword(k: string): boolean {
    const t = this.peek();
    return t.type === 'ident' && t.text.toLowerCase() === k;
  }

  private vectorMatching(op: string): VectorMatching | undefined {
    let m: VectorMatching | undefined;
    if (this.peekKeyword('on') || this.peekKeyword('ignoring')) {
      const on = this.next().text.toLowerCase() === 'on';
      m = { card: 'one-to-one', on, labels: this.labelList(), include: [] };
      if (this.peekKeyword('group_left') || this.peekKeyword('group_right')) {
        const t = this.next();
        m.card = t.text.toLowerCase() === 'group_left' ? 'many-to-one' : 'one-to-many';
        if (this.peek().type === 'lparen') m.include = this.labelList();
      }
    } else if (this.peekKeyword('group_left') || this.peekKeyword('group_right')) {
      this.unexpected(this.peek());
    }
    // Experimental fill modifiers: fill(v), fill_left(v), fill_right(v).
    while ((this.peekKeyword('fill') || this.peekKeyword('fill_left') || this.peekKeyword('fill_right')) && this.peek(1).type === 'lparen') {
      const kw = this.next().text.toLowerCase();
      this.next();
      let sign = 1;
      if (this.peek().type === 'op' && (this.peek().text === '-' || this.peek().text === '+')) sign = this.next().text === '-' ? -1 : 1;
      const num = this.expect('number', ' in fill modifier, expected number');
      this.expect('rparen', ' in fill modifier, expected ")"');
      const v = sign * parseNumber(num.text);
      m ??= { card: 'one-to-one', on: false, labels: [], include: [] };
      if (kw !== 'fill_right') m.fillLeft = v;
      if (kw !== 'fill_left') m.fillRight = v;
    }
    if (SET_OPS.has(op)) {
      m ??= { card: 'many-to-many', on: false, labels: [], include: [] };
      if (m.card === 'many-to-one' || m.card === 'one-to-many') this.fail(this.peek(), `no grouping allowed for "${op}" operation`);
      m.card = 'many-to-many';
    }
    return m;
  }

  private checkBinary(b: Expr & { kind: 'binary' }, opTok: Token): Expr {
    const lt = typeOf(b.lhs);
    const rt = typeOf(b.rhs);
    const bad = (t: ValueType) => t === 'matrix' || t === 'string';
    if (bad(lt) || bad(rt)) {
      const side = bad(lt) ? lt : rt;
      this.fail(opTok, `binary expression must contain only scalar and instant vector types${side === 'matrix' ? '' : ''}`);
    }
    if (COMPARISON.has(b.op) && !b.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail(opTok, 'comparisons between scalars must use BOOL modifier');
    }
    if (SET_OPS.has(b.op) && (lt === 'scalar' || rt === 'scalar')) {
      this.fail(opTok, `set operator "${b.op}" not allowed in binary scalar expression`);
    }
    if (b.matching && (lt !== 'vector' || rt !== 'vector') && !SET_OPS.has(b.op) && (b.matching.labels.length || b.matching.on)) {
      this.fail(opTok, 'vector matching only allowed between instant vectors');
    }
    if (b.matching && (b.matching.card === 'many-to-one' || b.matching.card === 'one-to-many')) {
      for (const l of b.matching.labels) {
        if (b.matching.on && b.matching.include.includes(l)) this.fail(opTok, `label "${l}" must not occur in ON and GROUP clause at once`);
      }
    }
    return b;
  }

  private labelList(): string[] {
    this.expect('lparen', ' in grouping opts, expected "("');
    const out: string[] = [];
    while (this.peek().type !== 'rparen') {
      const t = this.next();
      if (t.type === 'ident' || t.type === 'metric') out.push(t.text);
      else if (t.type === 'string') out.push(t.value!);
      else this.unexpected(t, ' in grouping opts, expected label');
      if (this.peek().type === 'comma') this.next();
      else if (this.peek().type !== 'rparen') this.unexpected(this.peek(), ' in grouping opts, expected "," or ")"');
    }
    this.next();
    return out;
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.type === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      // Unary minus binds looser than `^`: -2^2 is -(2^2).
      const operand = this.expr(precedence('^'));
      const ty = typeOf(operand);
      if (ty !== 'scalar' && ty !== 'vector') this.fail(t, `unary expression only allowed on expressions of type scalar or instant vector, got "${TYPE_NAMES[ty]}"`);
      if (operand.kind === 'number') {
        return { kind: 'number', value: t.text === '-' ? -operand.value : operand.value, pos: { start: t.pos, end: operand.pos.end } };
      }
      return { kind: 'unary', op: t.text as '-' | '+', expr: operand, pos: { start: t.pos, end: operand.pos.end } };
    }
    return this.postfix(this.primary());
  }

  /** `[range]`, `[range:step]`, `offset`, `@` after a primary expression. */
  private postfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.type === 'lbracket') {
        this.next();
        const rangeTok = this.peek();
        const rangeD = this.bracketDuration(' in subquery or range selector, expected duration');
        const range = rangeD.ms;
        if (this.peek().type === 'colon') {
          this.next();
          let step = 0;
          let stepExpr: DurationExpr | undefined;
          if (this.peek().type !== 'rbracket') {
            const d = this.bracketDuration(' in subquery selector, expected duration');
            step = d.ms;
            stepExpr = d.expr;
          }
          const end = this.expect('rbracket', ' in subquery selector, expected "]"');
          const ty = typeOf(e);
          if (ty !== 'vector') this.fail(t, `subquery is only allowed on instant vector, got ${TYPE_NAMES[ty]} instead`);
          e = { kind: 'subquery', expr: e, range, step, offset: 0, at: undefined, pos: { start: e.pos.start, end: end.end } };
          if (rangeD.expr) e.rangeExpr = rangeD.expr;
          if (stepExpr) e.stepExpr = stepExpr;
          continue;
        }
        const end = this.expect('rbracket', ' in range selector, expected "]"');
        if (e.kind !== 'vector') this.fail(t, 'ranges only allowed for vector selectors');
        if (e.offset !== 0 || e.at) this.fail(t, 'no offset or @ modifiers allowed before range');
        if (range <= 0 && !rangeD.expr) this.fail(rangeTok, 'range must be greater than 0');
        e = { kind: 'matrix', vs: e, range, pos: { start: e.pos.start, end: end.end } };
        if (rangeD.expr) e.rangeExpr = rangeD.expr;
        continue;
      }
      if ((this.peekKeyword('anchored') || this.peekKeyword('smoothed')) && (e.kind === 'vector' || e.kind === 'matrix')) {
        const kw = this.next();
        const vs = e.kind === 'vector' ? e : e.vs;
        if (vs.extended) this.fail(kw, `${kw.text.toLowerCase()} may not be set multiple times`);
        vs.extended = kw.text.toLowerCase() as 'anchored' | 'smoothed';
        e = this.extend(e, kw.end);
        continue;
      }
      if (this.peekKeyword('offset')) {
        const kw = this.next();
        let neg = false;
        if (this.peek().type === 'op' && (this.peek().text === '-' || this.peek().text === '+')) neg = this.next().text === '-';
        const od = this.offsetDuration();
        const d = od.ms;
        const target = this.modTarget(e, kw);
        if (target.offset !== 0 || target.offsetExpr) this.fail(kw, 'offset may not be set multiple times');
        target.offset = neg ? -d : d;
        if (od.expr) target.offsetExpr = neg ? { kind: 'neg', e: od.expr } : od.expr;
        e = this.extend(e, this.toks[this.i - 1]!.end);
        continue;
      }
      if (t.type === 'at') {
        this.next();
        let at: AtModifier;
        const a = this.peek();
        if ((a.type === 'ident' && (a.text === 'start' || a.text === 'end')) && this.peek(1).type === 'lparen') {
          this.next();
          this.next();
          this.expect('rparen', ' in @ modifier, expected ")"');
          at = { type: a.text as 'start' | 'end' };
        } else {
          let sign = 1;
          if (a.type === 'op' && (a.text === '-' || a.text === '+')) {
            sign = this.next().text === '-' ? -1 : 1;
          }
          // Prometheus 3 also accepts a duration here, read as seconds since the epoch.
          const n = this.peek().type === 'duration' ? this.next() : this.expect('number', ' in @ modifier, expected timestamp');
          const v = n.type === 'duration' ? (sign * this.duration(n)) / 1000 : sign * Number(n.text);
          if (!Number.isFinite(v)) this.fail(n, 'timestamp out of bounds for @ modifier');
          at = { type: 'time', t: Math.round(v * 1000) };
        }
        const target = this.modTarget(e, t);
        if (target.at) this.fail(t, '@ <timestamp> may not be set multiple times');
        target.at = at;
        e = this.extend(e, this.toks[this.i - 1]!.end);
        continue;
      }
      return e;
    }
  }

  /**
   * The contents of `[…]` up to `:` or `]`: a plain duration or number, or a
   * duration expression. Constant expressions fold to milliseconds here;
   * ones using step()/range() come back as `expr` (ms is then 0).
   */
  private bracketDuration(ctx: string): { ms: number; expr?: DurationExpr } {
    const t = this.peek();
    const after = this.peek(1).type;
    if ((t.type === 'duration' || t.type === 'number') && (after === 'rbracket' || after === 'colon')) return { ms: this.duration(this.next()) };
    if (!this.startsDurationExpr()) this.unexpected(t, ctx);
    return this.folded(this.durationSum());
  }

  /** After `offset`: an optionally signed literal, parenthesised duration expression or duration function. */
  private offsetDuration(): { ms: number; expr?: DurationExpr } {
    const t = this.peek();
    if (t.type === 'duration' || t.type === 'number') return { ms: this.duration(this.next()) };
    if (!this.startsDurationExpr()) this.unexpected(t, ' in offset, expected duration');
    return this.folded(this.durationPrimary());
  }

  private folded(e: DurationExpr): { ms: number; expr?: DurationExpr } {
    if (isDynamic(e)) return { ms: 0, expr: e };
    return { ms: Math.round(evalDuration(e, { step: 0, range: 0 }) * 1000) };
  }

  private startsDurationExpr(): boolean {
    const t = this.peek();
    if (t.type === 'lparen' || t.type === 'duration' || t.type === 'number') return true;
    if (t.type === 'op' && (t.text === '-' || t.text === '+')) return true;
    return t.type === 'ident' && ['step', 'range', 'min_of', 'max_of'].includes(t.text.toLowerCase()) && this.peek(1).type === 'lparen';
  }

  private durationSum(): DurationExpr {
    let l = this.durationProduct();
    while (this.peek().type === 'op' && (this.peek().text === '+' || this.peek().text === '-')) {
      const op = this.next().text;
      l = { kind: 'bin', op, l, r: this.durationProduct() };
    }
    return l;
  }

  private durationProduct(): DurationExpr {
    let l = this.durationPower();
    while (this.peek().type === 'op' && ['*', '/', '%'].includes(this.peek().text)) {
      const op = this.next().text;
      l = { kind: 'bin', op, l, r: this.durationPower() };
    }
    return l;
  }

  private durationPower(): DurationExpr {
    const t = this.peek();
    if (t.type === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      const e = this.durationPower();
      return t.text === '-' ? { kind: 'neg', e } : e;
    }
    const base = this.durationPrimary();
    if (this.peek().type === 'op' && this.peek().text === '^') {
      this.next();
      return { kind: 'bin', op: '^', l: base, r: this.durationPower() };
    }
    return base;
  }

  private durationPrimary(): DurationExpr {
    const t = this.next();
    if (t.type === 'number') return { kind: 'num', v: parseNumber(t.text), duration: false };
    if (t.type === 'duration') return { kind: 'num', v: this.duration(t) / 1000, duration: true };
    if (t.type === 'op' && (t.text === '-' || t.text === '+')) {
      const e = this.durationPrimary();
      return t.text === '-' ? { kind: 'neg', e } : e;
    }
    if (t.type === 'lparen') {
      const e = this.durationSum();
      this.expect('rparen', ' in duration expression, expected ")"');
      return { kind: 'paren', e };
    }
    if (t.type === 'ident' && this.peek().type === 'lparen') {
      const f = t.text.toLowerCase();
      this.next();
      const args: DurationExpr[] = [];
      while (this.peek().type !== 'rparen') {
        args.push(this.durationSum());
        if (this.peek().type === 'comma') this.next();
        else if (this.peek().type !== 'rparen') this.unexpected(this.peek(), ' in duration expression, expected "," or ")"');
      }
      this.next();
      if ((f === 'step' || f === 'range') && args.length !== 0) this.fail(t, `expected 0 argument(s) in call to "${f}", got ${args.length}`);
      if ((f === 'min_of' || f === 'max_of') && args.length < 1) this.fail(t, `expected at least 1 argument(s) in call to "${f}", got 0`);
      if (!['step', 'range', 'min_of', 'max_of'].includes(f)) this.fail(t, `unknown function with name "${t.text}" in duration expression`);
      return { kind: 'call', f: t.text, args };
    }
    this.unexpected(t, ' in duration expression');
  }

  private modTarget(e: Expr, t: Token): { offset: number; offsetExpr?: DurationExpr; at: AtModifier | undefined } {
    if (e.kind === 'vector' || e.kind === 'subquery') return e;
    if (e.kind === 'matrix') return e.vs;
    this.fail(t, `${t.type === 'at' ? '@ modifier' : 'offset modifier'} must be preceded by an instant vector selector or range vector selector or a subquery`);
  }

  private extend(e: Expr, end: number): Expr {
    e.pos = { start: e.pos.start, end };
    return e;
  }

  /** A duration token, or a plain number of seconds (Prometheus 3 accepts `[100]`, `offset 50`). */
  private expectDuration(ctx: string): Token {
    if (this.peek().type === 'number') return this.next();
    return this.expect('duration', ctx);
  }

  private duration(t: Token): number {
    if (t.type === 'number') {
      const v = Number(t.text);
      if (!Number.isFinite(v) || v < 0 || /^0x/i.test(t.text)) this.fail(t, `bad number or duration syntax: "${t.text}"`);
      return Math.round(v * 1000);
    }
    try {
      return parseDuration(t.text);
    } catch {
      this.fail(t, `bad duration syntax: "${t.text}"`);
    }
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'number': {
        this.next();
        return { kind: 'number', value: parseNumber(t.text), pos: { start: t.pos, end: t.end } };
      }
      case 'duration': {
        // Prometheus 3: a duration literal is a number of seconds (`predict_linear(x[1h], 1h)`).
        this.next();
        return { kind: 'number', value: this.duration(t) / 1000, duration: true, pos: { start: t.pos, end: t.end } };
      }
      case 'string':
        this.next();
        return { kind: 'string', value: t.value!, pos: { start: t.pos, end: t.end } };
      case 'lparen': {
        this.next();
        const inner = this.expr(0);
        const end = this.expect('rparen', ' in paren expression, expected ")"');
        return { kind: 'paren', expr: inner, pos: { start: t.pos, end: end.end } };
      }
      case 'lbrace':
        return this.selector('', t);
      case 'ident':
      case 'metric': {
        const lower = t.text.toLowerCase();
        if (t.type === 'ident' && lower in AGGREGATIONS && (this.peek(1).type === 'lparen' || this.isKeywordAt(1, 'by') || this.isKeywordAt(1, 'without'))) {
          return this.aggregate();
        }
        if (t.type === 'ident' && this.peek(1).type === 'lparen') {
          if (!(t.text in FUNCTIONS)) this.fail(t, `unknown function with name "${t.text}"`);
          return this.call();
        }
        if (t.type === 'ident' && (KEYWORD_OPS.has(lower) || ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset'].includes(lower))) {
          this.unexpected(t);
        }
        this.next();
        return this.selector(t.text, t);
      }
      default:
        this.unexpected(t);
    }
  }

  private isKeywordAt(k: number, kw: string): boolean {
    const t = this.peek(k);
    return t.type === 'ident' && t.text.toLowerCase() === kw;
  }

  private call(): Expr {
    const name = this.next();
    this.next(); // (
    const args: Expr[] = [];
    while (this.peek().type !== 'rparen') {
      // info()'s second argument is a data-label selector that may match the empty string.
      this.allowEmptySelector = name.text === 'info' && args.length === 1;
      try {
        args.push(this.expr(0));
      } finally {
        this.allowEmptySelector = false;
      }
      if (this.peek().type === 'comma') {
        this.next();
        if (this.peek().type === 'rparen') this.unexpected(this.peek(), ' in call, expected expression');
      } else if (this.peek().type !== 'rparen') this.unexpected(this.peek(), ' in call, expected "," or ")"');
    }
    const end = this.next();
    const sig = FUNCTIONS[name.text]!;
    const min = sig.args.length - (sig.variadic > 0 ? sig.variadic : sig.variadic < 0 ? 1 : 0);
    const max = sig.variadic < 0 ? Infinity : sig.args.length;
    if (args.length < min || args.length > max) {
      const want = sig.variadic === 0 ? `${sig.args.length}` : sig.variadic < 0 ? `at least ${min}` : `at most ${max}`;
      this.fail(name, `expected ${want} argument(s) in call to "${name.text}", got ${args.length}`);
    }
    args.forEach((a, i) => {
      const want = sig.args[Math.min(i, sig.args.length - 1)]!;
      const got = typeOf(a);
      if (got !== want) this.fail(name, `expected type ${TYPE_NAMES[want]} in call to function "${name.text}", got ${TYPE_NAMES[got]}`);
    });
    return { kind: 'call', func: name.text, args, pos: { start: name.pos, end: end.end } };
  }

  private aggregate(): Expr {
    const opTok = this.next();
    const op = opTok.text.toLowerCase();
    let grouping: string[] = [];
    let without = false;
    let hasGrouping = false;
    if (this.peekKeyword('by') || this.peekKeyword('without')) {
      without = this.next().text.toLowerCase() === 'without';
      grouping = this.labelList();
      hasGrouping = true;
    }
    this.expect('lparen', ' in aggregation, expected "("');
    let param: Expr | undefined;
    const paramType = AGGREGATIONS[op];
    if (paramType) {
      param = this.expr(0);
      this.expect('comma', ' in aggregation, expected ","');
    }
    if (this.peek().type === 'rparen') this.fail(this.peek(), `no arguments for aggregate expression provided`);
    const inner = this.expr(0);
    if (this.peek().type === 'comma') this.fail(this.peek(), `too many arguments for aggregate expression`);
    let end = this.expect('rparen', ' in aggregation, expected ")"');
    if (this.peekKeyword('by') || this.peekKeyword('without')) {
      if (hasGrouping) this.unexpected(this.peek());
      without = this.next().text.toLowerCase() === 'without';
      grouping = this.labelList();
      hasGrouping = true;
      end = this.toks[this.i - 1]!;
    }
    if (typeOf(inner) !== 'vector') this.fail(opTok, `expected type instant vector in aggregation expression, got ${TYPE_NAMES[typeOf(inner)]}`);
    if (param && paramType && typeOf(param) !== paramType) {
      this.fail(opTok, `expected type ${TYPE_NAMES[paramType]} in aggregation parameter, got ${TYPE_NAMES[typeOf(param)]}`);
    }
    return { kind: 'aggregate', op, expr: inner, param, grouping, without, hasGrouping, pos: { start: opTok.pos, end: end.end } };
  }

  private selector(name: string, start: Token): VectorSelector {
    const matchers: Matcher[] = [];
    let end = start.end;
    if (this.peek().type === 'lbrace') {
      this.next();
      while (this.peek().type !== 'rbrace') {
        const lt = this.next();
        let lname: string;
        if (lt.type === 'ident' || lt.type === 'metric') lname = lt.text;
        else if (lt.type === 'string') {
          // A bare quoted string is a UTF-8 metric name: {"my.metric"}.
          if (this.peek().type === 'comma' || this.peek().type === 'rbrace') {
            if (name) this.fail(lt, 'metric name must not be set twice');
            name = lt.value!;
            if (this.peek().type === 'comma') this.next();
            continue;
          }
          lname = lt.value!;
        } else this.unexpected(lt, ' in label matching, expected label');
        const opTok = this.next();
        if (opTok.type !== 'op' || !['=', '!=', '=~', '!~'].includes(opTok.text)) this.unexpected(opTok, ' in label matching, expected label matching operator');
        const vt = this.next();
        if (vt.type !== 'string') this.unexpected(vt, ' in label matching, expected string');
        try {
          matchers.push(new Matcher(opTok.text as MatchType, lname!, vt.value!));
        } catch (err) {
          if (err instanceof RegexSyntaxError) this.fail(vt, err.message);
          throw err;
        }
        if (this.peek().type === 'comma') this.next();
        else if (this.peek().type !== 'rbrace') this.unexpected(this.peek(), ' in label matching, expected "," or "}"');
      }
      end = this.next().end;
    }
    if (name) {
      if (matchers.some((m) => m.name === '__name__')) this.fail(start, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(matchers.find((m) => m.name === '__name__')!.value)}`);
      matchers.unshift(new Matcher('=', '__name__', name));
    }
    if (!this.allowEmptySelector) {
      if (matchers.length === 0) this.fail(start, 'vector selector must contain at least one non-empty matcher');
      if (matchers.every((m) => m.matchesEmpty())) this.fail(start, 'vector selector must contain at least one non-empty matcher');
    }
    return { kind: 'vector', name, matchers, offset: 0, at: undefined, pos: { start: start.pos, end } };
  }
}

function parseNumber(text: string): number {
  const l = text.toLowerCase();
  if (l === 'inf') return Infinity;
  if (l === 'nan') return NaN;
  if (l.startsWith('0x')) return parseInt(text, 16);
  return Number(text);
}

/** Parses a PromQL expression. @throws PromQLParseError with Prometheus's `line:col: parse error: …` text */
export function parseExpr(input: string): Expr {
  let e: Expr;
  try {
    e = new Parser(input, lex(input)).parse();
  } catch (err) {
    // Hostile nesting must end in a parse error, never a crashed process.
    if (err instanceof RangeError) throw parseError(input, 0, input.length, 'expression is nested too deeply');
    throw err;
  }
  if (depthExceeds(e, MAX_DEPTH)) throw parseError(input, 0, input.length, `expression is nested more than ${MAX_DEPTH} levels deep`);
  return e;
}

/**
 * Evaluation recurses over the tree, so very deep trees (e.g. `a + a + …`
 * repeated 100k times) are refused at parse time rather than overflowing
 * the stack later.
 */
const MAX_DEPTH = 1000;

function depthExceeds(root: Expr, max: number): boolean {
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    if (d > max) return true;
    switch (e.kind) {
      case 'binary':
        stack.push([e.lhs, d + 1], [e.rhs, d + 1]);
        break;
      case 'call':
        for (const a of e.args) stack.push([a, d + 1]);
        break;
      case 'aggregate':
        stack.push([e.expr, d + 1]);
        if (e.param) stack.push([e.param, d + 1]);
        break;
      case 'paren':
      case 'unary':
      case 'subquery':
        stack.push([e.expr, d + 1]);
        break;
      default:
        break;
    }
  }
  return false;
}

/** Parses a series selector (`up{job="x"}`) as `match[]` parameters take it. */
export function parseSelectorMatchers(input: string): Matcher[] {
  const e = parseExpr(input);
  if (e.kind !== 'vector') {
    throw parseError(input, 0, input.length, `expected a vector selector, got ${TYPE_NAMES[typeOf(e)]}`);
  }
  return e.matchers;
}

export type { PosRange };
