export type * from './ast.ts';
export { parseExpr, parseSelectorMatchers, typeOf } from './parser.ts';
export { FUNCTIONS, AGGREGATIONS } from './functions-table.ts';
export { astJSON } from './ast-json.ts';
export { formatExpr, formatMatcher, formatNumber, goQuote } from './printer.ts';
