import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { ContextStore } from './context.ts';

/** Paths redacted from every log line by default (headers, credentials, tokens). */
export const DEFAULT_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  service: string;
  version?: string;
  /** Minimum level (default `LOG_LEVEL` or `info`). */
  level?: string;
  /** Extra redaction paths (added to {@link DEFAULT_REDACT}). */
  redact?: string[];
  /**
   * Where lines go (default stdout, written synchronously so nothing is lost
   * on `process.exit`). An async destination is flushed on shutdown.
   */
  destination?: DestinationStream;
}

/**
 * A pino logger with the field's conventions: ISO time, level as a label,
 * `service`/`version`/`pid`/`hostname` base fields, secrets redacted, and the
 * current request's ids (request, trace, span, tenant, user) mixed into every
 * line through `context`.
 */
export function createLogger(opts: LoggerOptions, context: ContextStore): Logger {
  return pino(
    {
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: opts.service, version: opts.version, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...DEFAULT_REDACT, ...(opts.redact ?? [])], censor: '[REDACTED]' },
      // mixin runs per line: it is how request-scoped fields reach lines
      // written through the root logger without child loggers being passed.
      mixin: () => context.logFields(),
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The parts of sonic-boom (what `pino.destination()` returns) that
 * {@link flushLogger} uses. `_writing` has no public getter: it is true while
 * an asynchronous write is in flight.
 */
interface SonicBoomLike {
  sync?: boolean;
  _writing?: boolean;
  once(event: 'drain' | 'error', fn: () => void): unknown;
  off(event: 'drain' | 'error', fn: () => void): unknown;
  flushSync?(): void;
}

/** Longest wait for an asynchronous destination to finish writing. */
const FLUSH_WAIT_MS = 2000;

/**
 * Flushes a pino logger's destination; resolves once what was logged so far
 * is written. For an asynchronous sonic-boom destination, `flush(cb)` calls
 * back at once (it does when `minLength` is 0, the default) while a write is
 * still in flight and more lines may be queued behind it, so a
 * `process.exit` right after would lose them: here the promise waits for the
 * stream's `drain`, which comes once everything accepted has been written.
 */
export function flushLogger(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, SonicBoomLike | undefined>)[pino.symbols.streamSym];
  if (stream !== undefined && stream.sync === false && stream._writing === true) {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stream.off('drain', done);
        stream.off('error', done);
        resolve();
      };
      const timer = setTimeout(() => {
        try {
          stream.flushSync?.();
        } catch {
          // Nothing more can be done before exit; pino's own exit hook tries once more.
        }
        done();
      }, FLUSH_WAIT_MS);
      stream.once('drain', done);
      stream.once('error', done);
    });
  }
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}
