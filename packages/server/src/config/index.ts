export type {
  PrometheusConfig,
  ScrapeConfig,
  StaticConfig,
  FileSDConfig,
  HttpSDConfig,
  RelabelConfig,
  AlertmanagerConfig,
  RemoteWriteConfig,
  HTTPClientConfig,
} from './types.ts';
export { parseConfig, loadConfigFile, defaultConfig } from './load.ts';
export { checkConfigFiles } from './check.ts';
export type { CheckConfigOptions } from './check.ts';
