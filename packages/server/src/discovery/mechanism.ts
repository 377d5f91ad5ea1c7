import type { Logger } from '@vigil/core';
import type { TargetGroup } from './target-group.ts';

/** A running discovery instance. */
export interface Discoverer {
  /** Starts discovering; resolves once the first full set of groups was delivered. */
  start(): Promise<void>;
  /** Stops; no update is delivered afterwards. Idempotent. */
  stop(): void;
}

/**
 * One service discovery mechanism: the YAML key it is configured under
 * (`static_configs`, `file_sd_configs`, …) and a factory for one entry of
 * that list. `onUpdate` receives the mechanism's complete current groups
 * each time (not a delta).
 */
export interface DiscoveryMechanism<C> {
  readonly type: string;
  create(cfg: C, deps: { logger: Logger }, onUpdate: (groups: TargetGroup[]) => void): Discoverer;
}
