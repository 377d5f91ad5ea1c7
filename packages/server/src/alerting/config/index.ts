export type {
  AlertmanagerFileConfig,
  GlobalConfig,
  RouteConfig,
  InhibitRuleConfig,
  ReceiverConfig,
  IntegrationConfig,
  IntegrationKey,
  TimeIntervalConfig,
  TimeIntervalSpec,
  TimeRange,
} from './types.ts';
export { INTEGRATION_KEYS } from './types.ts';
export { parseAlertmanagerConfig, loadAlertmanagerConfigFile } from './load.ts';
export { parseMatchers, parseMatcher, matchesLabelSet } from './matchers.ts';
