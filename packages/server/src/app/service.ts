/**
 * Lifecycle contract between the composition root (`app/`) and every
 * long-running subsystem. `start()` and `stop()` are idempotent; `app/`
 * stops services in reverse start order.
 */
export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A subsystem that takes its slice of the configuration on start and on every
 * reload. Implementations validate everything first and apply only when the
 * whole slice is valid, so a failed reload leaves the old state running.
 */
export interface Reloadable<C> {
  applyConfig(cfg: C): Promise<void>;
}
