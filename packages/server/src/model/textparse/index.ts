export type { ParsedSample, ParsedColumns, MetricMetadata, ParseResult, ParseOptions } from './parser.ts';
export { parseExposition, parseExpositionColumns, ExpositionParseError } from './parser.ts';
export { goFormatG, formatOpenMetricsFloat } from './format-float.ts';
