import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { fingerprint } from './fingerprint.ts';

/** Where an error came from. */
export type ErrorType = 'uncaught' | 'unhandled_rejection' | 'route' | 'manual';
/** How bad it is: `fatal` ends the process. */
export type ErrorSeverity = 'fatal' | 'error' | 'warning';

/** One captured error as handed to sinks. */
export interface ErrorEvent {
  error: Error;
  type: ErrorType;
  severity: ErrorSeverity;
  fingerprint: string;
  /** RFC 3339 capture time. */
  time: string;
  /** Context at capture time: request ids, route, anything the caller adds. */
  context: Record<string, unknown>;
}

/** Receives captured errors (Vigil's error tracking, Sentry, a queue…). Failures are logged, never thrown. */
export type ErrorSink = (event: ErrorEvent) => void | Promise<void>;

/**
 * Captures errors: counts `errors_total{type,severity}`, logs them with
 * context and fingerprint, and passes them to every sink.
 */
export class ErrorCapture {
  readonly total: Counter<'type' | 'severity'>;
  private readonly sinks: ErrorSink[] = [];

  constructor(
    registry: Registry,
    private readonly logger: Logger,
    private readonly context: () => Record<string, unknown>,
  ) {
    this.total = new Counter({ name: 'errors_total', help: 'Errors captured, by type and severity.', labelNames: ['type', 'severity'], registers: [registry] });
  }

  /** Adds a sink; returns a function removing it. */
  addSink(sink: ErrorSink): () => void {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  /** Captures one error; resolves once every sink has taken it. */
  async capture(err: unknown, opts: { type?: ErrorType; severity?: ErrorSeverity; context?: Record<string, unknown> } = {}): Promise<ErrorEvent> {
    const error = err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
    const event: ErrorEvent = {
      error,
      type: opts.type ?? 'manual',
      severity: opts.severity ?? 'error',
      fingerprint: fingerprint(error),
      time: new Date().toISOString(),
      context: { ...this.context(), ...opts.context },
    };
    this.total.inc({ type: event.type, severity: event.severity });
    const level = event.severity === 'fatal' ? 'fatal' : event.severity === 'warning' ? 'warn' : 'error';
    this.logger[level]({ err: error, errorType: event.type, fingerprint: event.fingerprint, ...opts.context }, error.message);
    await Promise.all(
      this.sinks.map(async (sink) => {
        try {
          await sink(event);
        } catch (sinkErr) {
          this.logger.warn({ err: sinkErr }, 'error sink failed');
        }
      }),
    );
    return event;
  }
}
