/** IETF health-check status (draft-inadarei-api-health-check). */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** What one run of a check observed. Throwing (or timing out) means `fail`. */
export interface CheckOutcome {
  /** Defaults to `pass`; return `warn` for degraded-but-working. */
  status?: HealthStatus;
  /** The measured value (e.g. heap utilisation, event-loop p99 ms). Defaults to the response time in ms. */
  observedValue?: number | string | boolean;
  /** Unit of `observedValue` (`ms`, `percent`, `bytes`). */
  observedUnit?: string;
  /** Human-readable detail, shown for `warn`/`fail`. */
  output?: string;
}

/** A dependency or resource check. */
export interface HealthCheck {
  /** Component name, the key prefix in the report (`postgres`, `redis`, `memory`). */
  name: string;
  /** IETF `componentType`: `datastore`, `system`, `component`, `http`… */
  componentType: string;
  /** Measurement name, the key suffix (`postgres:responseTime`); default `responseTime`. */
  measurement?: string;
  /**
   * A critical check failing makes the service `fail` (503 on `/readyz` and
   * `/healthz`); a non-critical one only degrades it to `warn` (still 200).
   * Default true.
   */
  critical?: boolean;
  /** Per-run timeout in milliseconds (default 2000); past it the run is a `fail`. */
  timeoutMs?: number;
  /** Performs the check. Receives an AbortSignal that fires at the timeout. */
  run(signal: AbortSignal): Promise<CheckOutcome | void>;
}

/** One entry of the IETF `checks` object. */
export interface CheckResult {
  componentId?: string;
  componentType: string;
  status: HealthStatus;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  /** Response time of the check itself in milliseconds. */
  responseTimeMs: number;
  output?: string;
  /** RFC 3339 time the check ran. */
  time: string;
  critical: boolean;
}

/** The `application/health+json` body. */
export interface HealthReport {
  status: HealthStatus;
  serviceId?: string;
  version?: string;
  description?: string;
  output?: string;
  checks: Record<string, CheckResult[]>;
}
