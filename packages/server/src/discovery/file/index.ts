import type { FileSDConfig } from '../../config/index.ts';
import type { DiscoveryMechanism } from '../mechanism.ts';
import { FileDiscovery, readGroups } from './file-sd.ts';

/** `file_sd_configs`: JSON/YAML target files, watched and re-read. */
export const fileDiscovery: DiscoveryMechanism<FileSDConfig> = {
  type: 'file_sd_configs',
  create(cfg, deps, onUpdate) {
    return new FileDiscovery(cfg, deps.logger, onUpdate);
  },
};
export { FileDiscovery, readGroups };
