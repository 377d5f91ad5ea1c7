import { parseDuration } from '@vigil/core';

/** Smallest and largest timestamps Prometheus accepts for open-ended ranges (ms). */
export const MIN_TIME = -9223372036854776; // math.MinInt64 / 1000 in Prometheus, as ms
export const MAX_TIME = 9223372036854775;

// Prometheus formats its open-range bounds as these RFC 3339 strings and
// accepts them back verbatim (clients such as Grafana send them).
const MIN_TIME_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_TIME_FORMATTED = '292277025-08-18T07:12:54.999999999Z';

export class ParamError extends Error {}

/**
 * Parses a timestamp parameter as Prometheus's `parseTime`: float Unix
 * seconds or RFC 3339; returns integer ms.
 */
export function parseTimeParam(s: string): number {
  const trimmed = s.trim();
  if (trimmed !== '' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    const f = Number(trimmed);
    const sec = Math.trunc(f);
    // Prometheus rounds the fraction to milliseconds before converting.
    const frac = Math.round((f - sec) * 1000) / 1000;
    return sec * 1000 + Math.round(frac * 1000);
  }
  if (trimmed === MIN_TIME_FORMATTED) return MIN_TIME;
  if (trimmed === MAX_TIME_FORMATTED) return MAX_TIME;
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new ParamError(`cannot parse ${JSON.stringify(s)} to a valid timestamp`);
}

/** Parses a duration parameter: float seconds or a Prometheus duration; returns ms. */
export function parseDurationParam(s: string): number {
  const trimmed = s.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    const f = Number(trimmed) * 1000;
    if (!Number.isFinite(f) || Math.abs(f) > 9.2e18) {
      throw new ParamError(`cannot parse ${JSON.stringify(s)} to a valid duration. It overflows int64`);
    }
    return Math.round(f);
  }
  try {
    return parseDuration(trimmed);
  } catch {
    throw new ParamError(`cannot parse ${JSON.stringify(s)} to a valid duration`);
  }
}

/** Prometheus's wording for a bad parameter. */
export function invalidParam(name: string, err: unknown): string {
  return `invalid parameter ${JSON.stringify(name)}: ${(err as Error).message}`;
}
