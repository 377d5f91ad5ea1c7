export { registerAlertmanagerApi } from './alertmanager-api.ts';
export { registerVigilAlertingApi } from './vigil-api.ts';
export type { StandaloneOptions, StandaloneServer } from './standalone.ts';
export { startStandaloneAlertmanager, runStandaloneAlertmanager } from './standalone.ts';
