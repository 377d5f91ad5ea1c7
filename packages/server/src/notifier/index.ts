export { Notifier, alertmanagerTargets } from './notifier.ts';
export type { NotifierOptions, AlertmanagersConfig } from './notifier.ts';
export type { PostableAlertJSON, LocalAlertReceiver, AlertmanagerTarget } from './types.ts';
export { NotifierMetrics } from './metrics.ts';
