/** Parse tree of a Go template, after Go's `text/template/parse/node.go`. `pos` is a byte offset. */
export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateNode | BreakNode | ContinueNode;

export interface TextNode {
  readonly type: 'text';
  readonly text: string;
}
export interface ActionNode {
  readonly type: 'action';
  readonly pos: number;
  readonly pipe: PipeNode;
}
/** `if`, `with` and `range` share this shape; `elseList` may hold a nested `if`/`with` for `else if`. */
export interface BranchNode {
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: Node[];
  readonly elseList: Node[] | undefined;
}
export interface IfNode extends BranchNode {
  readonly type: 'if';
}
export interface WithNode extends BranchNode {
  readonly type: 'with';
}
export interface RangeNode extends BranchNode {
  readonly type: 'range';
}
export interface TemplateNode {
  readonly type: 'template';
  readonly pos: number;
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}
export interface BreakNode {
  readonly type: 'break';
  readonly pos: number;
}
export interface ContinueNode {
  readonly type: 'continue';
  readonly pos: number;
}

/** `$x := a | b c`: declared variables, whether it is `=` (assign) or `:=`, and the commands. */
export interface PipeNode {
  readonly type: 'pipe';
  readonly pos: number;
  readonly decl: string[];
  readonly isAssign: boolean;
  readonly cmds: CommandNode[];
}
export interface CommandNode {
  readonly pos: number;
  readonly args: ArgNode[];
}

export type ArgNode =
  | { readonly type: 'field'; readonly pos: number; readonly ident: string[] }
  | { readonly type: 'variable'; readonly pos: number; readonly name: string; readonly ident: string[] }
  | { readonly type: 'chain'; readonly pos: number; readonly node: ArgNode; readonly ident: string[] }
  | { readonly type: 'identifier'; readonly pos: number; readonly name: string }
  | { readonly type: 'dot'; readonly pos: number }
  | { readonly type: 'nil'; readonly pos: number }
  | { readonly type: 'bool'; readonly pos: number; readonly value: boolean }
  | { readonly type: 'number'; readonly pos: number; readonly value: number; readonly text: string }
  | { readonly type: 'string'; readonly pos: number; readonly value: string; readonly text: string }
  | PipeNode;
