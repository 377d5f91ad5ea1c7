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

/** Flushes a pino logger's destination if it buffers; resolves when written. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush((err) => {
        void err;
        resolve();
      });
    } catch {
      resolve();
    }
  });
}
