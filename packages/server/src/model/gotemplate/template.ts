import type { Node } from './ast.ts';
import { builtinFuncs } from './builtins.ts';
import { Execution, runAsync, runSync, type ExecEnv, type TemplateFunc } from './exec.ts';
import { parse } from './parse.ts';

/** Options of a template set. */
export interface TemplateOptions {
  /** html/template-style escaping of action output (values other than SafeHTML). Default false. */
  html?: boolean;
  /**
   * How a missing map key prints. `'zero'` (default) prints `''`, as Go does
   * for `map[string]string` (Prometheus's `$labels`, Alertmanager's KV);
   * `'novalue'` prints `<no value>` as for `map[string]interface{}`.
   */
  missingKey?: 'zero' | 'novalue';
}

interface Entry {
  nodes: Node[];
  src: string;
  name: string;
}

/**
 * A set of named Go templates sharing one function map, as Go's
 * `*template.Template`. Parse with {@link Template.parse}; later
 * definitions of a name replace earlier ones (unless the later body is
 * empty). Execution never mutates the set, so a parsed Template can be
 * executed concurrently.
 */
export class Template {
  private readonly entries = new Map<string, Entry>();
  private readonly funcs: Map<string, TemplateFunc>;
  private readonly env: ExecEnv;

  constructor(
    readonly name: string,
    funcs: Record<string, TemplateFunc> | ReadonlyMap<string, TemplateFunc> = {},
    readonly options: TemplateOptions = {},
  ) {
    this.funcs = builtinFuncs();
    for (const [k, f] of funcs instanceof Map ? funcs : Object.entries(funcs)) this.funcs.set(k, f);
    this.env = {
      funcs: this.funcs,
      lookup: (n) => this.entries.get(n),
      html: options.html ?? false,
      missingKey: options.missingKey ?? 'zero',
    };
  }

  /**
   * Parses `text` as the body of template `name` (default: this set's name)
   * and adds the templates it defines.
   * @throws TemplateParseError
   */
  parse(text: string, name: string = this.name): this {
    const set = parse(name, text, (f) => this.funcs.has(f));
    for (const [n, nodes] of set.defines) this.entries.set(n, { nodes, src: text, name: n });
    if (!set.mainEmpty || !this.entries.has(name)) this.entries.set(name, { nodes: set.main, src: text, name });
    return this;
  }

  /** True when the set holds a template called `name`. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Names of all templates in the set. */
  templateNames(): string[] {
    return [...this.entries.keys()];
  }

  /** A copy sharing nothing mutable, to parse more text into without touching this set. */
  clone(): Template {
    const t = new Template(this.name, this.funcs, this.options);
    for (const [k, v] of this.entries) t.entries.set(k, v);
    return t;
  }

  /**
   * Executes template `name` with `data` as dot.
   * @throws TemplateExecError, including when a function returns a Promise (use {@link executeAsync}).
   */
  execute(data: unknown, name: string = this.name): string {
    return runSync(new Execution(this.env, name).run(name, data));
  }

  /** Executes template `name`, awaiting functions that return Promises (Prometheus's `query`). */
  executeAsync(data: unknown, name: string = this.name): Promise<string> {
    return runAsync(new Execution(this.env, name).run(name, data));
  }
}

/** Parses one template text into a new set named `name`. @throws TemplateParseError */
export function parseTemplate(name: string, text: string, funcs: Record<string, TemplateFunc> = {}, options: TemplateOptions = {}): Template {
  return new Template(name, funcs, options).parse(text);
}
