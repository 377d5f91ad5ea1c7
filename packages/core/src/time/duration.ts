/**
 * Prometheus duration strings (`1h30m`, `5m`, `20s500ms`, `0`): units
 * y w d h m s ms, each at most once, in descending order; `y` is 365 days.
 * All values are integer milliseconds.
 */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export class DurationError extends Error {
  constructor(readonly input: string) {
    super(input === '' ? 'empty duration string' : `not a valid duration string: ${JSON.stringify(input)}`);
    this.name = 'DurationError';
  }
}

/** Parses a Prometheus duration to milliseconds. @throws DurationError */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new DurationError(s);
  const m = DURATION_RE.exec(s);
  if (!m) throw new DurationError(s);
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g) * UNITS[i]![1];
  }
  if (!Number.isSafeInteger(ms)) throw new DurationError(s);
  return ms;
}

/** True when `s` parses as a duration. */
export function isDuration(s: string): boolean {
  try {
    parseDuration(s);
    return true;
  } catch {
    return false;
  }
}

/** Formats milliseconds the way Prometheus's `model.Duration.String()` does (`1h30m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = '';
  let rest = ms;
  if (rest < 0) {
    out = '-';
    rest = -rest;
  }
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
