import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Write to this stream instead of stdout (tests pass a buffer). */
  destination?: NodeJS.WritableStream;
  /** Log format; `logfmt` is not supported, `json` is the Prometheus 3 default. */
  format?: 'json';
}

/**
 * Builds the one root logger a process uses. Components take
 * `root.child({ component: 'scrape' })` and receive it through their constructor.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const base = {
    level: opts.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    base: undefined,
  };
  return opts.destination ? pino(base, opts.destination as never) : pino(base);
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
