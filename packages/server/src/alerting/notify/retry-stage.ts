import { isResolved, type Alert, type Clock } from '../types.ts';
import { NotifyError, type Notifier, type NotifyContext } from './notifier.ts';
import type { Stage } from './stage.ts';

/** Hooks for metrics and history; all optional. */
export interface RetryHooks {
  attempt?(integration: string): void;
  failed?(integration: string, err: Error): void;
  sent?(integration: string, ctx: NotifyContext, alerts: readonly Alert[]): void;
}

/**
 * Sends through one integration, retrying retryable failures with
 * exponential backoff (500 ms × 1.5ⁿ, at most 60 s, Alertmanager's
 * defaults) until the context is aborted (the group_interval deadline).
 * Without send_resolved, resolved alerts are left out of the payload.
 */
export class RetryStage implements Stage {
  constructor(
    private readonly notifier: Notifier,
    private readonly integration: string,
    private readonly sendResolved: boolean,
    private readonly clock: Clock,
    private readonly hooks: RetryHooks = {},
  ) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    let sent = alerts;
    if (!this.sendResolved) {
      // Only resolved alerts: count as delivered so the nflog still records them.
      if ((ctx.firing ?? []).length === 0) return alerts;
      sent = alerts.filter((a) => !isResolved(a, ctx.now));
    }
    let delay = 500;
    for (let i = 1; ; i++) {
      if (ctx.signal.aborted) throw new NotifyError(`${this.integration}: notify retry canceled after ${i - 1} attempts`, false);
      this.hooks.attempt?.(this.integration);
      try {
        await this.notifier.notify(ctx, sent);
        this.hooks.sent?.(this.integration, ctx, sent);
        return alerts;
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        this.hooks.failed?.(this.integration, e);
        const retryable = err instanceof NotifyError ? err.retryable : false;
        if (!retryable) throw new NotifyError(`${this.integration}: notify retry canceled due to unrecoverable error after ${i} attempts: ${e.message}`, false);
        ctx.logger.warn({ integration: this.integration, attempt: i, err: e.message }, 'notify attempt failed, retrying');
        await sleep(this.clock, delay, ctx.signal);
        delay = Math.min(delay * 1.5, 60_000);
      }
    }
  }
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const h = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clock.clearTimeout(h);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
