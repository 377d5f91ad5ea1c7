import type { Matcher } from '@vigil/core';
import type { DurationExpr } from './duration-expr.ts';

/** Position range of a node in the expression text, [start, end) byte offsets. */
export interface PosRange {
  start: number;
  end: number;
}

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface NumberLiteral {
  kind: 'number';
  value: number;
  /** Written as a duration (`1h`); printed back that way. */
  duration?: boolean;
  pos: PosRange;
}

export interface StringLiteral {
  kind: 'string';
  value: string;
  pos: PosRange;
}

/** `@` modifier: a fixed timestamp (ms) or the query's start/end. */
export type AtModifier = { type: 'time'; t: number } | { type: 'start' } | { type: 'end' };

export interface VectorSelector {
  kind: 'vector';
  name: string;
  matchers: Matcher[];
  /** ms; positive looks back. */
  offset: number;
  /** A duration expression for the offset that depends on the query (resolved into `offset` when it starts). */
  offsetExpr?: DurationExpr;
  at: AtModifier | undefined;
  /** Experimental extended range selectors: `anchored` / `smoothed` (set on the selector of a range too). */
  extended?: 'anchored' | 'smoothed';
  pos: PosRange;
}

export interface MatrixSelector {
  kind: 'matrix';
  vs: VectorSelector;
  range: number;
  rangeExpr?: DurationExpr;
  pos: PosRange;
}

export interface Subquery {
  kind: 'subquery';
  expr: Expr;
  range: number;
  /** 0 means the engine's default (the evaluation interval). */
  step: number;
  offset: number;
  rangeExpr?: DurationExpr;
  stepExpr?: DurationExpr;
  offsetExpr?: DurationExpr;
  at: AtModifier | undefined;
  pos: PosRange;
}

export interface Call {
  kind: 'call';
  func: string;
  args: Expr[];
  /** For info(): the hidden selector of its info series, added by the engine before loading. */
  infoSelector?: VectorSelector;
  pos: PosRange;
}

export interface Aggregate {
  kind: 'aggregate';
  op: string;
  expr: Expr;
  param: Expr | undefined;
  grouping: string[];
  without: boolean;
  /** True when `by`/`without` was written (even with an empty list). */
  hasGrouping: boolean;
  pos: PosRange;
}

export interface VectorMatching {
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  on: boolean;
  labels: string[];
  include: string[];
  /** Experimental fill modifiers: the value used when that side has no match. */
  fillLeft?: number;
  fillRight?: number;
}

export interface Binary {
  kind: 'binary';
  op: string;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  matching: VectorMatching | undefined;
  pos: PosRange;
}

export interface Unary {
  kind: 'unary';
  op: '-' | '+';
  expr: Expr;
  pos: PosRange;
}

export interface Paren {
  kind: 'paren';
  expr: Expr;
  pos: PosRange;
}

export type Expr = NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | Subquery | Call | Aggregate | Binary | Unary | Paren;
