import { Engine, type EngineOptions } from './engine/engine.ts';
import type { QueryEngine } from './types.ts';

export type { QueryEngine, QueryResult, QueryValue, QueryOptions, QueryStats, Sample, RangeSeries } from './types.ts';
export { PromQLParseError, PromQLExecError, QueryTimeoutError, QueryCanceledError, TooManySamplesError } from './errors.ts';
export type { Expr } from './parser/index.ts';
export { parseExpr, typeOf, formatExpr, astJSON } from './parser/index.ts';
export { parseSelectorMatchers as parseSelector } from './parser/index.ts';
export { Engine } from './engine/engine.ts';
export { SelectCache } from './engine/select-cache.ts';
export type { EngineOptions } from './engine/engine.ts';

/** Builds the query engine with Prometheus's defaults (5m lookback, 2m timeout, 50M samples, 20 concurrent). */
export function createEngine(opts: EngineOptions = {}): QueryEngine {
  return new Engine(opts);
}
