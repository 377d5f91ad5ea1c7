import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { HealthCheck } from '../types.ts';

/** Options of {@link eventLoopCheck}. */
export interface EventLoopCheckOptions {
  /** p99 delay (ms) above which the check warns (default 100). */
  warnMs?: number;
  /** p99 delay (ms) above which the check fails (default 1000). */
  failMs?: number;
  /** Default false: a busy loop degrades the service rather than pulling it from rotation. */
  critical?: boolean;
}

/**
 * Event-loop delay: p99 of `monitorEventLoopDelay` since the previous run, so
 * it measures the loop between checks, not the check itself. Call `stop()`
 * (done by `Vigil.close`) to disable the monitor.
 */
export function eventLoopCheck(opts: EventLoopCheckOptions = {}): HealthCheck & { stop(): void } {
  let h: IntervalHistogram | undefined;
  return {
    name: 'eventloop',
    componentType: 'system',
    measurement: 'delay',
    critical: opts.critical ?? false,
    async run() {
      if (h === undefined) {
        h = monitorEventLoopDelay({ resolution: 10 });
        h.enable();
        return { observedValue: 0, observedUnit: 'ms' };
      }
      const p99 = h.percentile(99) / 1e6;
      h.reset();
      const status = p99 > (opts.failMs ?? 1000) ? 'fail' : p99 > (opts.warnMs ?? 100) ? 'warn' : 'pass';
      return { status, observedValue: Math.round(p99 * 100) / 100, observedUnit: 'ms', output: status === 'pass' ? undefined : `event loop p99 delay ${p99.toFixed(1)}ms` };
    },
    stop() {
      h?.disable();
    },
  };
}
