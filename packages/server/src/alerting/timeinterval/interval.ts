import type { TimeIntervalConfig, TimeIntervalSpec } from '../config/index.ts';

interface Parts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minute: number;
  daysInMonth: number;
}

function partsAt(t: number, location: string | undefined): Parts {
  const tz = !location || location === 'Local' ? undefined : location;
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz ?? 'UTC',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short', hourCycle: 'h23',
  });
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(t))) p[x.type] = x.value;
  const year = +p.year!;
  const month = +p.month!;
  return {
    year,
    month,
    day: +p.day!,
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday!),
    minute: +p.hour! * 60 + +p.minute!,
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

/** True when `t` (Unix ms) falls in the spec; an empty spec matches always. UTC unless `location` is set. */
export function specContains(spec: TimeIntervalSpec, t: number): boolean {
  const p = partsAt(t, spec.location);
  if (spec.times && !spec.times.some((r) => p.minute >= r.start_minute && p.minute < r.end_minute)) return false;
  if (spec.weekdays && !spec.weekdays.some(([a, b]) => p.weekday >= a && p.weekday <= b)) return false;
  if (spec.days_of_month) {
    const ok = spec.days_of_month.some(([a, b]) => {
      // Negative days count back from the month's end (-1 is the last day).
      const lo = a < 0 ? p.daysInMonth + a + 1 : a;
      const hi = b < 0 ? p.daysInMonth + b + 1 : b;
      return p.day >= lo && p.day <= hi;
    });
    if (!ok) return false;
  }
  if (spec.months && !spec.months.some(([a, b]) => p.month >= a && p.month <= b)) return false;
  if (spec.years && !spec.years.some(([a, b]) => p.year >= a && p.year <= b)) return false;
  return true;
}

/** True when `t` falls in any of the named intervals' specs. */
export function inIntervals(names: readonly string[], intervals: ReadonlyMap<string, TimeIntervalConfig>, t: number): boolean {
  for (const n of names) {
    const ti = intervals.get(n);
    if (ti && ti.time_intervals.some((s) => specContains(s, t))) return true;
  }
  return false;
}
