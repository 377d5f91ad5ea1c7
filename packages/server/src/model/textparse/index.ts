export type { ParsedSample, MetricMetadata, ParseResult, ParseOptions } from './parser.ts';
export { parseExposition, ExpositionParseError } from './parser.ts';
export { goFormatG, formatOpenMetricsFloat } from './format-float.ts';
