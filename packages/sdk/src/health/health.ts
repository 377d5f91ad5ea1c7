import type { CheckResult, HealthCheck, HealthReport, HealthStatus } from './types.ts';

/** Options of {@link Health}. */
export interface HealthOptions {
  serviceId?: string;
  version?: string;
  /** How often checks run in the background, in milliseconds (default 10000). */
  intervalMs?: number;
}

function timeout(ms: number, ctl: AbortController): { promise: Promise<never>; clear(): void } {
  let t: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    t = setTimeout(() => {
      ctl.abort();
      reject(new Error(`timed out after ${ms}ms`));
    }, ms);
  });
  return { promise, clear: () => clearTimeout(t) };
}

/**
 * Runs health checks in the background on an interval and keeps the last
 * result of each, so `/readyz` and `/healthz` answer from memory: probes stay
 * cheap however often an orchestrator calls them, and a slow dependency never
 * makes the probe itself time out.
 *
 * Overall status: `fail` if any critical check fails or the service is
 * shutting down, else `warn` if any check fails or warns, else `pass`.
 */
export class Health {
  private readonly checks: HealthCheck[] = [];
  private readonly results = new Map<string, CheckResult>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private draining = false;
  private started = false;

  constructor(private readonly opts: HealthOptions = {}) {}

  /** Adds a check. Runs with the next round (or now, if already started). */
  add(check: HealthCheck): this {
    this.checks.push(check);
    if (this.started) void this.runAll();
    return this;
  }

  /** Starts background checking; the first round runs immediately. Idempotent. */
  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.timer = setInterval(() => void this.runAll(), this.opts.intervalMs ?? 10_000);
      // Background checking must never keep a process alive on its own.
      this.timer.unref();
    }
    return this.runAll();
  }

  /** Stops background checking. Cached results remain readable. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.started = false;
  }

  /** Marks the service as shutting down: readiness fails from now on, liveness does not. */
  setDraining(): void {
    this.draining = true;
  }

  /** True once {@link setDraining} was called. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Runs every check now (one round at a time; concurrent callers share it). */
  runAll(): Promise<void> {
    this.running ??= Promise.all(this.checks.map((c) => this.runOne(c))).then(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOne(check: HealthCheck): Promise<void> {
    const ctl = new AbortController();
    const to = timeout(check.timeoutMs ?? 2000, ctl);
    const t0 = performance.now();
    let result: CheckResult;
    const critical = check.critical ?? true;
    try {
      const out = (await Promise.race([check.run(ctl.signal), to.promise])) ?? {};
      const ms = Math.round((performance.now() - t0) * 1000) / 1000;
      result = {
        componentType: check.componentType,
        status: out.status ?? 'pass',
        observedValue: out.observedValue ?? ms,
        observedUnit: out.observedValue === undefined ? 'ms' : out.observedUnit,
        responseTimeMs: ms,
        output: out.output,
        time: new Date().toISOString(),
        critical,
      };
    } catch (err) {
      result = {
        componentType: check.componentType,
        status: 'fail',
        responseTimeMs: Math.round((performance.now() - t0) * 1000) / 1000,
        output: err instanceof Error ? err.message : String(err),
        time: new Date().toISOString(),
        critical,
      };
    } finally {
      to.clear();
    }
    this.results.set(`${check.name}:${check.measurement ?? 'responseTime'}`, result);
  }

  /** Overall status from cached results (no check runs). */
  status(): HealthStatus {
    if (this.draining) return 'fail';
    let s: HealthStatus = 'pass';
    for (const r of this.results.values()) {
      if (r.status === 'fail' && r.critical) return 'fail';
      if (r.status !== 'pass') s = 'warn';
    }
    return s;
  }

  /** The full IETF report from cached results. */
  report(): HealthReport {
    const checks: Record<string, CheckResult[]> = {};
    for (const [key, r] of this.results) checks[key] = [r];
    const status = this.status();
    return {
      status,
      serviceId: this.opts.serviceId,
      version: this.opts.version,
      output: this.draining ? 'shutting down' : undefined,
      checks,
    };
  }
}

/** HTTP status for an overall health status: only `fail` is unhealthy. */
export function httpStatusFor(status: HealthStatus): number {
  return status === 'fail' ? 503 : 200;
}
