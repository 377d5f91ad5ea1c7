import type { HttpSDConfig } from '../../config/index.ts';
import type { DiscoveryMechanism } from '../mechanism.ts';
import { HttpDiscovery } from './http-sd.ts';

/** `http_sd_configs`: file_sd-shaped JSON polled from a URL. */
export const httpDiscovery: DiscoveryMechanism<HttpSDConfig> = {
  type: 'http_sd_configs',
  create(cfg, deps, onUpdate) {
    return new HttpDiscovery(cfg, deps.logger, onUpdate);
  },
};
export { HttpDiscovery };
