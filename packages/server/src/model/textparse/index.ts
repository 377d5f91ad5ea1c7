export type { ParsedSample, MetricMetadata, ParseResult } from './parser.ts';
export { parseExposition, ExpositionParseError } from './parser.ts';
export { goFormatG, formatOpenMetricsFloat } from './format-float.ts';
