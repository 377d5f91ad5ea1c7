export type { Alertmanager, AlertmanagerOptions, PostableAlert, PutResult, AlertStatus } from './alertmanager.ts';
export { createAlertmanager, builtinIntegrations, toAlert } from './alertmanager.ts';
export type { Alert, LabelSet, Clock } from './types.ts';
export { fingerprint, isResolved, systemClock, ManualClock } from './types.ts';
export type { Silence, SilenceMatcher, SilenceState } from './silence/index.ts';
export { SilenceError } from './silence/index.ts';
export type { AlertmanagerFileConfig } from './config/index.ts';
export { loadAlertmanagerConfigFile, parseAlertmanagerConfig, parseMatchers } from './config/index.ts';
export { Route, formatLabelSet } from './dispatch/index.ts';
