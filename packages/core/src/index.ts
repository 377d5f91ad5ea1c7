export type { Label, Labels } from './labels/labels.ts';
export {
  METRIC_NAME,
  EMPTY_LABELS,
  labelsFromObject,
  labelsFromStrings,
  sortLabels,
  labelsToObject,
  getLabel,
  hasLabel,
  labelsEqual,
  compareLabels,
  labelsKey,
  labelsString,
  withoutLabels,
  keepLabels,
  LabelsBuilder,
  isLegacyLabelName,
  isLegacyMetricName,
} from './labels/labels.ts';
export type { MatchType } from './labels/matcher.ts';
export { Matcher, matchLabels } from './labels/matcher.ts';
export { ownString } from './labels/own-string.ts';
export { RegexSyntaxError, translateRE2, compileAnchored, compileUnanchored, compileLinear } from './labels/regex.ts';
export type { LinearRegex } from './labels/regex.ts';
export { parseDuration, formatDuration, isDuration, DurationError } from './time/duration.ts';
export { parseBytes } from './time/units.ts';
export { VigilError, ConfigError, ConfigErrors } from './errors/vigil-error.ts';
export type { Logger, LoggerOptions } from './log/logger.ts';
export { createLogger, silentLogger } from './log/logger.ts';
