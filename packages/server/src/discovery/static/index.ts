import type { StaticConfig } from '../../config/index.ts';
import type { DiscoveryMechanism } from '../mechanism.ts';
import { staticGroups } from './static.ts';

/** `static_configs`: each entry is one fixed group. */
export const staticDiscovery: DiscoveryMechanism<StaticConfig> = {
  type: 'static_configs',
  create(cfg, _deps, onUpdate) {
    return {
      start: async () => onUpdate(staticGroups([cfg])),
      stop: () => {},
    };
  },
};
export { staticGroups };
