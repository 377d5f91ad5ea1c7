import type { HealthCheck } from '../types.ts';
import type { DependencyCheckOptions } from './postgres.ts';

/** Anything with `ioredis`'s `ping`. */
export interface RedisPingable {
  ping(): Promise<string>;
}

/**
 * Redis reachability via `PING`. Create the ioredis client with
 * `enableOfflineQueue: false` (or a low `maxRetriesPerRequest`) so a down
 * server fails the check at once instead of queueing the ping.
 */
export function redisCheck(redis: RedisPingable, opts: DependencyCheckOptions = {}): HealthCheck {
  return {
    name: opts.name ?? 'redis',
    componentType: 'datastore',
    critical: opts.critical,
    timeoutMs: opts.timeoutMs,
    async run() {
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new Error(`unexpected ping reply ${JSON.stringify(pong)}`);
    },
  };
}
