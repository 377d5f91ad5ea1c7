import type { ArgNode, BranchNode, CommandNode, Node, PipeNode } from './ast.ts';
import { TemplateExecError } from './errors.ts';
import { htmlEscape } from './escape.ts';
import { formatValue, SafeHTML } from './format.ts';
import { lineOf } from './lexer.ts';

/** A template function. It may return a Promise; then only async execution can run it. */
export type TemplateFunc = (...args: any[]) => unknown;

/** What the executor needs from the template set. */
export interface ExecEnv {
  readonly funcs: ReadonlyMap<string, TemplateFunc>;
  readonly lookup: (name: string) => { nodes: Node[]; src: string; name: string } | undefined;
  /** html/template-style: escape the output of every action unless it is {@link SafeHTML}. */
  readonly html: boolean;
  /** How a missing map key prints: Go's `map[string]string` zero value (`''`) or `<no value>`. */
  readonly missingKey: 'zero' | 'novalue';
}

/** Evaluation is written as generators so one code path serves sync and async execution: a yielded value is a Promise to await. */
type Gen<T> = Generator<Promise<unknown>, T, unknown>;

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
/** Go's "zero value of a missing map key", distinct from a real nil. */
const MISSING = Symbol('missing');
const MAX_DEPTH = 100_000;

/** Go's `truth`: false, 0, "", nil and empty collections are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '' || v === MISSING) return false;
  if (Number.isNaN(v)) return true;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (v instanceof SafeHTML) return v.html !== '';
  if (typeof v === 'object') return Object.keys(v).length > 0 || v.constructor !== Object;
  return true;
}

interface Frame {
  readonly tmpl: string;
  readonly src: string;
}

/** One run of a template: the output buffer, variable stack and call depth. */
export class Execution {
  private out = '';
  private vars: Array<{ name: string; value: unknown }> = [];
  private depth = 0;
  private frame: Frame;

  constructor(
    private readonly env: ExecEnv,
    name: string,
  ) {
    this.frame = { tmpl: name, src: env.lookup(name)?.src ?? '' };
  }

  /** Runs the named template against `data`. */
  *run(name: string, data: unknown): Gen<string> {
    const t = this.env.lookup(name);
    if (!t) throw new TemplateExecError(`template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(name)}`);
    this.frame = { tmpl: t.name, src: t.src };
    this.vars = [{ name: '$', value: data }];
    yield* this.walkList(data, t.nodes);
    return this.out;
  }

  private err(pos: number, what: string, msg: string, cause?: unknown): never {
    const line = lineOf(this.frame.src, pos);
    let lineStart = this.frame.src.lastIndexOf('\n', pos - 1) + 1;
    const col = pos - lineStart;
    throw new TemplateExecError(`template: ${this.frame.tmpl}:${line}:${col}: executing ${JSON.stringify(this.frame.tmpl)} at <${what}>: ${msg}`, { cause });
  }

  private *walkList(dot: unknown, list: Node[]): Gen<symbol | undefined> {
    for (const n of list) {
      const r = yield* this.walk(dot, n);
      if (r) return r;
    }
    return undefined;
  }

  private *walk(dot: unknown, n: Node): Gen<symbol | undefined> {
    switch (n.type) {
      case 'text':
        this.out += n.text;
        return undefined;
      case 'action': {
        const v = yield* this.evalPipe(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.print(v);
        return undefined;
      }
      case 'if':
      case 'with':
        return yield* this.branch(dot, n, n.type);
      case 'range':
        return yield* this.range(dot, n);
      case 'template': {
        const t = this.env.lookup(n.name);
        if (!t) this.err(n.pos, `template ${n.name}`, `template ${JSON.stringify(n.name)} not defined`);
        const newDot = n.pipe ? yield* this.evalPipe(dot, n.pipe) : undefined;
        if (++this.depth > MAX_DEPTH) this.err(n.pos, `template ${n.name}`, 'exceeded maximum template depth (100000)');
        const savedVars = this.vars;
        const savedFrame = this.frame;
        this.vars = [{ name: '$', value: newDot }];
        this.frame = { tmpl: t.name, src: t.src };
        try {
          yield* this.walkList(newDot, t.nodes);
        } finally {
          this.vars = savedVars;
          this.frame = savedFrame;
          this.depth--;
        }
        return undefined;
      }
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
    }
  }

  private print(v: unknown): void {
    let s: string;
    if (v === MISSING) s = this.env.missingKey === 'zero' ? '' : '<no value>';
    else if (v === undefined || v === null) s = '<no value>';
    else s = formatValue(v);
    if (this.env.html && !(v instanceof SafeHTML)) s = htmlEscape(s);
    this.out += s;
  }

  private *branch(dot: unknown, n: BranchNode, kind: 'if' | 'with'): Gen<symbol | undefined> {
    const mark = this.vars.length;
    try {
      const v = yield* this.evalPipe(dot, n.pipe);
      if (truth(v)) return yield* this.walkList(kind === 'with' ? v : dot, n.list);
      if (n.elseList) return yield* this.walkList(dot, n.elseList);
      return undefined;
    } finally {
      this.vars.length = mark;
    }
  }

  private *range(dot: unknown, n: BranchNode): Gen<symbol | undefined> {
    const mark = this.vars.length;
    try {
      // Declarations are set per element, so evaluate the pipe without them.
      const v = yield* this.evalPipe(dot, { ...n.pipe, decl: [] });
      const items: Array<[unknown, unknown]> = [];
      if (Array.isArray(v)) v.forEach((e, i) => items.push([i, e]));
      else if (v instanceof Map) for (const k of [...v.keys()].sort()) items.push([k, v.get(k)]);
      else if (typeof v === 'number' && Number.isInteger(v)) for (let i = 0; i < v; i++) items.push([i, i]);
      else if (v && typeof v === 'object' && !(v instanceof SafeHTML)) for (const k of Object.keys(v).sort()) items.push([k, (v as Record<string, unknown>)[k]]);
      else if (v !== undefined && v !== null && v !== MISSING) this.err(n.pos, 'range', `range can't iterate over ${formatValue(v)}`);
      if (items.length === 0) {
        if (n.elseList) return yield* this.walkList(dot, n.elseList);
        return undefined;
      }
      const d = n.pipe.decl;
      for (const [k, e] of items) {
        this.vars.length = mark;
        if (d.length === 1) this.setVar(d[0]!, e, n.pipe.isAssign);
        else if (d.length === 2) {
          this.setVar(d[0]!, k, n.pipe.isAssign);
          this.setVar(d[1]!, e, n.pipe.isAssign);
        }
        const r = yield* this.walkList(e, n.list);
        if (r === BREAK) break;
      }
      return undefined;
    } finally {
      this.vars.length = mark;
    }
  }

  private setVar(name: string, value: unknown, assign: boolean): void {
    if (assign) {
      for (let i = this.vars.length - 1; i >= 0; i--) {
        if (this.vars[i]!.name === name) {
          this.vars[i]!.value = value;
          return;
        }
      }
    }
    this.vars.push({ name, value });
  }

  private getVar(name: string, pos: number): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.err(pos, name, `undefined variable: ${name}`);
  }

  private *evalPipe(dot: unknown, pipe: PipeNode): Gen<unknown> {
    let v: unknown = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      v = yield* this.evalCommand(dot, cmd, first ? NO_FINAL : v);
      first = false;
    }
    for (const name of pipe.decl) this.setVar(name, v, pipe.isAssign);
    return v;
  }

  private *evalCommand(dot: unknown, cmd: CommandNode, final: unknown): Gen<unknown> {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return yield* this.evalFieldChain(dot, dot, first.ident, cmd.args.slice(1), final, first.pos);
      case 'variable': {
        const v = this.getVar(first.name, first.pos);
        if (first.ident.length === 0) {
          this.noArgs(cmd, final, first.name);
          return v;
        }
        return yield* this.evalFieldChain(dot, v, first.ident, cmd.args.slice(1), final, first.pos);
      }
      case 'chain': {
        const base = yield* this.evalArg(dot, first.node);
        return yield* this.evalFieldChain(dot, base, first.ident, cmd.args.slice(1), final, first.pos);
      }
      case 'identifier':
        return yield* this.callFunc(dot, first.name, cmd.args.slice(1), final, first.pos);
      case 'pipe':
        this.noArgs(cmd, final, 'pipeline');
        return yield* this.evalPipe(dot, first);
      case 'nil':
        return this.err(first.pos, 'nil', 'nil is not a command');
      default:
        this.noArgs(cmd, final, argText(first));
        return yield* this.evalArg(dot, first);
    }
  }

  private noArgs(cmd: CommandNode, final: unknown, what: string): void {
    if (cmd.args.length > 1 || final !== NO_FINAL) this.err(cmd.pos, what, `can't give argument to non-function ${what}`);
  }

  private *evalArg(dot: unknown, a: ArgNode): Gen<unknown> {
    switch (a.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
      case 'number':
      case 'string':
        return a.value;
      case 'field':
        return yield* this.evalFieldChain(dot, dot, a.ident, [], NO_FINAL, a.pos);
      case 'variable': {
        const v = this.getVar(a.name, a.pos);
        return a.ident.length ? yield* this.evalFieldChain(dot, v, a.ident, [], NO_FINAL, a.pos) : v;
      }
      case 'chain': {
        const base = yield* this.evalArg(dot, a.node);
        return yield* this.evalFieldChain(dot, base, a.ident, [], NO_FINAL, a.pos);
      }
      case 'identifier':
        return yield* this.callFunc(dot, a.name, [], NO_FINAL, a.pos);
      case 'pipe':
        return yield* this.evalPipe(dot, a);
    }
  }

  /** `.A.B.C args…`: map keys and object properties; a function-valued property is called as a Go method would be. */
  private *evalFieldChain(dot: unknown, recv: unknown, ident: string[], args: ArgNode[], final: unknown, pos: number): Gen<unknown> {
    let v = recv;
    for (let i = 0; i < ident.length; i++) {
      const name = ident[i]!;
      const last = i === ident.length - 1;
      if (v === undefined || v === null || v === MISSING) {
        if (v === MISSING && this.env.missingKey === 'zero') return MISSING;
        this.err(pos, '.' + ident.slice(0, i + 1).join('.'), `nil pointer evaluating interface {}.${name}`);
      }
      let next: unknown;
      let found: boolean;
      if (v instanceof Map) {
        found = v.has(name);
        next = v.get(name);
      } else if (typeof v === 'object' || typeof v === 'function') {
        found = name in (v as object);
        next = (v as Record<string, unknown>)[name];
      } else {
        this.err(pos, '.' + ident.slice(0, i + 1).join('.'), `can't evaluate field ${name} in type ${typeName(v)}`);
      }
      if (typeof next === 'function') {
        const argv: unknown[] = [];
        if (last) {
          for (const a of args) argv.push(yield* this.evalArg(dot, a));
          if (final !== NO_FINAL) argv.push(final);
        }
        next = yield* this.callValue(() => (next as TemplateFunc).apply(v, argv.map(unMissing)), pos, '.' + ident.join('.'));
        if (last) return next;
      } else {
        if (last && (args.length > 0 || final !== NO_FINAL)) this.err(pos, '.' + ident.join('.'), `${name} is not a method but has arguments`);
        if (!found) next = MISSING;
      }
      v = next;
    }
    return v;
  }

  private *callFunc(dot: unknown, name: string, args: ArgNode[], final: unknown, pos: number): Gen<unknown> {
    // and/or short-circuit (Go 1.18): evaluate arguments only as needed.
    if (name === 'and' || name === 'or') {
      const all: Array<ArgNode | { final: unknown }> = [...args];
      if (final !== NO_FINAL) all.push({ final });
      if (all.length === 0) this.err(pos, name, `wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown;
      for (const a of all) {
        v = 'final' in a ? a.final : yield* this.evalArg(dot, a);
        if (name === 'and' ? !truth(v) : truth(v)) return v;
      }
      return v;
    }
    const f = this.env.funcs.get(name);
    if (!f) this.err(pos, name, `${JSON.stringify(name)} is not a defined function`);
    const argv: unknown[] = [];
    for (const a of args) argv.push(yield* this.evalArg(dot, a));
    if (final !== NO_FINAL) argv.push(final);
    return yield* this.callValue(() => f(...argv.map(unMissing)), pos, name);
  }

  private *callValue(fn: () => unknown, pos: number, what: string): Gen<unknown> {
    let r: unknown;
    try {
      r = fn();
    } catch (err) {
      this.err(pos, what, `error calling ${what.replace(/^\./, '')}: ${(err as Error).message}`, err);
    }
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      try {
        r = yield r as Promise<unknown>;
      } catch (err) {
        this.err(pos, what, `error calling ${what.replace(/^\./, '')}: ${(err as Error).message}`, err);
      }
    }
    return r;
  }
}

const NO_FINAL = Symbol('no-final');

function unMissing(v: unknown): unknown {
  return v === MISSING ? '' : v;
}

function typeName(v: unknown): string {
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function argText(a: ArgNode): string {
  if (a.type === 'string' || a.type === 'number') return a.text;
  if (a.type === 'bool') return String(a.value);
  return a.type === 'dot' ? '.' : a.type;
}

/** Drives an evaluation synchronously. @throws TemplateExecError when a function returned a Promise. */
export function runSync<T>(g: Gen<T>): T {
  const r = g.next();
  if (!r.done) {
    // Swallow the pending promise's rejection; the caller gets a clear error instead.
    r.value.catch(() => undefined);
    g.return(undefined as T);
    throw new TemplateExecError('template: a function returned a Promise; use executeAsync');
  }
  return r.value;
}

/** Drives an evaluation, awaiting every Promise a function returns. */
export async function runAsync<T>(g: Gen<T>): Promise<T> {
  let r = g.next();
  while (!r.done) {
    let v: unknown;
    try {
      v = await r.value;
    } catch (err) {
      r = g.throw(err);
      continue;
    }
    r = g.next(v);
  }
  return r.value;
}
