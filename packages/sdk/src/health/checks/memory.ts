import { getHeapStatistics } from 'node:v8';
import type { HealthCheck } from '../types.ts';

/** Options of {@link memoryCheck}. */
export interface MemoryCheckOptions {
  /** Heap used / heap limit ratio (0-1) above which it warns (default 0.85). */
  warnRatio?: number;
  /** Ratio above which it fails (default 0.95). */
  failRatio?: number;
  /** Default false. */
  critical?: boolean;
}

/** V8 heap utilisation against the heap size limit, as a percentage. */
export function memoryCheck(opts: MemoryCheckOptions = {}): HealthCheck {
  return {
    name: 'memory',
    componentType: 'system',
    measurement: 'utilization',
    critical: opts.critical ?? false,
    async run() {
      const s = getHeapStatistics();
      const ratio = s.used_heap_size / s.heap_size_limit;
      const status = ratio > (opts.failRatio ?? 0.95) ? 'fail' : ratio > (opts.warnRatio ?? 0.85) ? 'warn' : 'pass';
      return { status, observedValue: Math.round(ratio * 10000) / 100, observedUnit: 'percent' };
    },
  };
}
