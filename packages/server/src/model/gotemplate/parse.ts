import type { ArgNode, BranchNode, CommandNode, Node, PipeNode } from './ast.ts';
import { TemplateParseError } from './errors.ts';
import { lex, lineOf, type Token } from './lexer.ts';

/** The parse trees of one source text: the main body and any `define`/`block` templates it declares. */
export interface ParsedSet {
  readonly main: Node[];
  readonly defines: Map<string, Node[]>;
  /** True when the main body has something besides whitespace text (Go's IsEmptyTree). */
  readonly mainEmpty: boolean;
}

/**
 * Parses Go template source. `isFunc` says whether an identifier names a
 * function, so unknown functions fail at parse time, as in Go.
 * @throws TemplateParseError
 */
export function parse(name: string, src: string, isFunc: (name: string) => boolean): ParsedSet {
  return new Parser(name, src, lex(name, src), isFunc).parseAll();
}

type End = 'end' | 'else' | 'eof';

class Parser {
  private i = 0;
  private readonly defines = new Map<string, Node[]>();
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly name: string,
    private readonly src: string,
    private readonly toks: Token[],
    private readonly isFunc: (name: string) => boolean,
  ) {}

  parseAll(): ParsedSet {
    const [main, end] = this.itemList(true);
    if (end !== 'eof') this.fail(this.toks[this.i - 1]!, `unexpected {{${end}}}`);
    const mainEmpty = main.every((n) => n.type === 'text' && /^\s*$/.test(n.text));
    return { main, defines: this.defines, mainEmpty };
  }

  private fail(t: Token, msg: string): never {
    throw new TemplateParseError(this.name, lineOf(this.src, t.pos), msg);
  }
  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[Math.min(this.i++, this.toks.length - 1)]!;
  }
  private expect(kind: Token['kind'], ctx: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `unexpected ${desc(t)} in ${ctx}`);
    return t;
  }

  /** Parses nodes up to `{{end}}`, `{{else…}}` (left unconsumed after `else`) or EOF. */
  private itemList(top: boolean): [Node[], End] {
    const out: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') {
        if (!top) this.fail(t, 'unexpected EOF');
        return [out, 'eof'];
      }
      if (t.kind === 'text') {
        out.push({ type: 'text', text: t.val });
        continue;
      }
      // t is '{{'
      const k = this.peek();
      if (k.kind === 'keyword') {
        if (k.val === 'end') {
          this.next();
          this.expect('right', 'end');
          if (top) this.fail(k, 'unexpected {{end}}');
          return [out, 'end'];
        }
        if (k.val === 'else') {
          this.next();
          if (top) this.fail(k, 'unexpected {{else}}');
          return [out, 'else'];
        }
        if (k.val === 'define') {
          if (!top) this.fail(k, 'unexpected <define> in command');
          this.next();
          this.parseDefine();
          continue;
        }
      }
      out.push(this.action());
    }
  }

  private action(): Node {
    const t = this.peek();
    if (t.kind === 'keyword') {
      this.next();
      switch (t.val) {
        case 'if':
          return { type: 'if', ...this.branch('if', t.pos) };
        case 'with':
          return { type: 'with', ...this.branch('with', t.pos) };
        case 'range':
          this.rangeDepth++;
          try {
            return { type: 'range', ...this.branch('range', t.pos) };
          } finally {
            this.rangeDepth--;
          }
        case 'template':
          return this.templateCall(t.pos);
        case 'block':
          return this.block(t.pos);
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(t, `{{${t.val}}} outside {{range}}`);
          this.expect('right', t.val);
          return { type: t.val, pos: t.pos };
        default:
          this.fail(t, `unexpected <${t.val}>`);
      }
    }
    return { type: 'action', pos: t.pos, pipe: this.pipeline('command', 'right') };
  }

  private branch(ctx: 'if' | 'with' | 'range', pos: number): BranchNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(ctx, 'right');
    let [list, end] = this.itemList(false);
    let elseList: Node[] | undefined;
    if (end === 'else') {
      // `{{else if …}}` / `{{else with …}}` nest a branch that shares our {{end}}.
      const k = this.peek();
      if ((ctx === 'if' && k.kind === 'keyword' && k.val === 'if') || (ctx === 'with' && k.kind === 'keyword' && k.val === 'with')) {
        this.next();
        const inner = this.branch(ctx, k.pos);
        elseList = [{ type: ctx, ...inner }];
      } else {
        this.expect('right', 'else');
        [elseList, end] = this.itemList(false);
        if (end !== 'end') this.fail(this.peek(), 'expected end; found {{else}}');
      }
    }
    this.vars.length = mark;
    return { pos, pipe, list, elseList };
  }

  private templateName(ctx: string): string {
    const t = this.next();
    if (t.kind !== 'string') this.fail(t, `unexpected ${desc(t)} in ${ctx} clause`);
    return unquote(t.val, () => this.fail(t, `bad string ${t.val}`));
  }

  private templateCall(pos: number): Node {
    const name = this.templateName('template');
    let pipe: PipeNode | undefined;
    if (this.peek().kind !== 'right') pipe = this.pipeline('template', 'right');
    else this.next();
    return { type: 'template', pos, name, pipe };
  }

  private block(pos: number): Node {
    const name = this.templateName('block');
    const pipe = this.pipeline('block', 'right');
    const saved = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList(false);
    this.vars = saved;
    if (end !== 'end') this.fail(this.peek(), 'unexpected {{else}} in block');
    this.defines.set(name, list);
    return { type: 'template', pos, name, pipe };
  }

  private parseDefine(): void {
    const name = this.templateName('define');
    this.expect('right', 'define');
    const saved = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList(false);
    this.vars = saved;
    if (end !== 'end') this.fail(this.peek(), 'unexpected {{else}} in define');
    this.defines.set(name, list);
  }

  private pipeline(ctx: string, end: 'right' | 'rparen'): PipeNode {
    const start = this.peek();
    const decl: string[] = [];
    let isAssign = false;
    // Declarations: `$x :=`, `$x =`, or `$i, $e :=` in range.
    if (start.kind === 'variable') {
      const n1 = this.peek(1);
      if (n1.kind === 'declare' || n1.kind === 'assign') {
        this.i += 2;
        decl.push(start.val);
        isAssign = n1.kind === 'assign';
        if (!isAssign) this.vars.push(start.val);
        else if (!this.vars.includes(start.val)) this.fail(start, `undefined variable "${start.val}"`);
      } else if (n1.kind === 'comma' && ctx === 'range' && this.peek(2).kind === 'variable' && (this.peek(3).kind === 'declare' || this.peek(3).kind === 'assign')) {
        const v2 = this.peek(2);
        isAssign = this.peek(3).kind === 'assign';
        this.i += 4;
        decl.push(start.val, v2.val);
        if (!isAssign) this.vars.push(start.val, v2.val);
      }
    }
    const cmds: CommandNode[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === end) {
        this.next();
        if (cmds.length === 0) this.fail(t, `missing value for ${ctx}`);
        return { type: 'pipe', pos: start.pos, decl, isAssign, cmds };
      }
      if (t.kind === 'eof' || t.kind === 'right' || t.kind === 'rparen') this.fail(t, `unexpected ${desc(t)} in ${ctx === 'command' ? 'operand' : ctx}`);
      cmds.push(this.command(end));
    }
  }

  private command(end: 'right' | 'rparen'): CommandNode {
    const pos = this.peek().pos;
    const args: ArgNode[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === end || t.kind === 'right' || t.kind === 'rparen') break;
      if (t.kind === 'pipe') {
        this.next();
        if (args.length === 0) this.fail(t, 'missing command');
        return { pos, args };
      }
      args.push(this.operand());
    }
    if (args.length === 0) this.fail(this.peek(), 'empty command');
    return { pos, args };
  }

  private operand(): ArgNode {
    let node = this.term();
    // A field chains onto the term only when it follows without a space: `(x).F`, `$v.F`, not `f .F`.
    const prev = this.toks[this.i - 1]!;
    if (this.peek().kind === 'field' && this.peek().pos === prev.pos + prev.val.length) {
      const ident: string[] = [];
      for (let t = this.peek(); t.kind === 'field' && t.pos === this.toks[this.i - 1]!.pos + this.toks[this.i - 1]!.val.length; t = this.peek()) ident.push(this.next().val.slice(1));
      if (node.type === 'field') node = { type: 'field', pos: node.pos, ident: [...node.ident, ...ident] };
      else if (node.type === 'variable') node = { type: 'variable', pos: node.pos, name: node.name, ident: [...node.ident, ...ident] };
      else if (node.type === 'bool' || node.type === 'string' || node.type === 'number' || node.type === 'nil' || node.type === 'dot') {
        this.fail(this.peek(-1), `unexpected . after term ${JSON.stringify(this.src.slice(node.pos, this.peek(-1).pos))}`);
      } else node = { type: 'chain', pos: node.pos, node, ident };
    }
    return node;
  }

  private term(): ArgNode {
    const t = this.next();
    switch (t.kind) {
      case 'identifier':
        if (!this.isFunc(t.val)) this.fail(t, `function ${JSON.stringify(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, name: t.val };
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable': {
        if (!this.vars.includes(t.val)) this.fail(t, `undefined variable "${t.val}"`);
        return { type: 'variable', pos: t.pos, name: t.val, ident: [] };
      }
      case 'field':
        return { type: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'number': {
        const v = parseNumber(t.val);
        if (v === undefined) this.fail(t, `illegal number syntax: ${JSON.stringify(t.val)}`);
        return { type: 'number', pos: t.pos, value: v, text: t.val };
      }
      case 'char': {
        const s = unquote(`"${t.val.slice(1, -1).replace(/"/g, '\\"')}"`, () => this.fail(t, `malformed character constant: ${t.val}`));
        return { type: 'number', pos: t.pos, value: s.codePointAt(0) ?? 0, text: t.val };
      }
      case 'string':
        return { type: 'string', pos: t.pos, value: unquote(t.val, () => this.fail(t, `bad string ${t.val}`)), text: t.val };
      case 'lparen': {
        const p = this.pipeline('parenthesized pipeline', 'rparen');
        return p;
      }
      default:
        this.fail(t, `unexpected ${desc(t)} in operand`);
    }
  }
}

function desc(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'right') return '"}}"';
  if (t.kind === 'rparen') return '")"';
  return `<${t.val}>`;
}

function parseNumber(s: string): number | undefined {
  const t = s.replace(/_/g, '');
  if (t.endsWith('i')) return undefined;
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  let v: number;
  if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) v = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) v = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) v = parseInt(body, 8);
  else v = Number(body);
  if (Number.isNaN(v)) return undefined;
  return neg ? -v : v;
}

/** Unquotes a Go interpreted ("…") or raw (`…`) string literal. */
function unquote(s: string, bad: () => never): string {
  if (s.startsWith('`')) return s.slice(1, -1).replace(/\r/g, '');
  let out = '';
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case "'": out += "'"; break;
      case 'x': out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16)); i += 2; break;
      case 'u': out += String.fromCodePoint(parseInt(s.slice(i + 1, i + 5), 16)); i += 4; break;
      case 'U': out += String.fromCodePoint(parseInt(s.slice(i + 1, i + 9), 16)); i += 8; break;
      default:
        if (e && /[0-7]/.test(e)) {
          out += String.fromCharCode(parseInt(s.slice(i, i + 3), 8));
          i += 2;
        } else bad();
    }
  }
  return out;
}
