import { statfs } from 'node:fs/promises';
import type { HealthCheck } from '../types.ts';

/** Options of {@link diskCheck}. */
export interface DiskCheckOptions {
  /** Free bytes below which it warns (default 1 GiB). */
  warnFreeBytes?: number;
  /** Free bytes below which it fails (default 100 MiB). */
  failFreeBytes?: number;
  /** Default false. */
  critical?: boolean;
}

/** Free space (bytes available to this user) on the filesystem holding `path`. */
export function diskCheck(path: string, opts: DiskCheckOptions = {}): HealthCheck {
  return {
    name: 'disk',
    componentType: 'system',
    measurement: 'free',
    critical: opts.critical ?? false,
    async run() {
      const s = await statfs(path);
      const free = Number(s.bavail) * Number(s.bsize);
      const status = free < (opts.failFreeBytes ?? 100 * 2 ** 20) ? 'fail' : free < (opts.warnFreeBytes ?? 2 ** 30) ? 'warn' : 'pass';
      return { status, observedValue: free, observedUnit: 'bytes' };
    },
  };
}
