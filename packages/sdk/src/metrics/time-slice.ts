/**
 * Splits long synchronous work into slices of about `ms` milliseconds: call
 * {@link pause} between small units of work; it yields to the event loop
 * (`setImmediate`) once the current slice has run longer than `ms`.
 */
export class TimeSlice {
  private start = performance.now();

  constructor(private readonly ms: number) {}

  /** Yields if this slice is over; resolves at once otherwise. */
  async pause(): Promise<void> {
    if (performance.now() - this.start > this.ms) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.start = performance.now();
    }
  }

  /** Starts a new slice now (after an await that may already have yielded). */
  restart(): void {
    this.start = performance.now();
  }
}
