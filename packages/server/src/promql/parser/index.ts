export type * from './ast.ts';
export { parseExpr, parseSelectorMatchers, typeOf } from './parser.ts';
export { FUNCTIONS, AGGREGATIONS } from './functions-table.ts';
export { formatExpr, formatMatcher, formatNumber, goQuote } from './printer.ts';
