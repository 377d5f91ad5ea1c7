/** Element-wise functions over instant vectors; each maps one value (and scalar args) to a value. */
export type ElementFn = (v: number, args: number[]) => number;

function roundHalfUp(v: number, toNearest: number): number {
  // Prometheus: math.Floor(v*toNearestInverse+0.5) / toNearestInverse
  const inv = 1 / toNearest;
  return Math.floor(v * inv + 0.5) / inv;
}

export const ELEMENT_FUNCTIONS: Record<string, ElementFn> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
  sgn: (v) => (v > 0 ? 1 : v < 0 ? -1 : v),
  round: (v, [to = 1]) => roundHalfUp(v, to),
  clamp: (v, [min, max]) => (Number.isNaN(v) ? v : Math.max(min!, Math.min(max!, v))),
  clamp_min: (v, [min]) => (Number.isNaN(v) ? v : Math.max(min!, v)),
  clamp_max: (v, [max]) => (Number.isNaN(v) ? v : Math.min(max!, v)),
};

/** Date functions take Unix seconds and work in UTC. */
export const DATE_FUNCTIONS: Record<string, (d: Date) => number> = {
  minute: (d) => d.getUTCMinutes(),
  hour: (d) => d.getUTCHours(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_month: (d) => d.getUTCDate(),
  day_of_year: (d) => Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400_000) + 1,
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};
