// The longest event-loop stall while a piece of work runs, for the benches.

/** Longest gap between 1 ms timer ticks (minus the 1 ms) while `fn` runs. */
export async function maxStall(fn: () => Promise<unknown>): Promise<{ stallMs: number; totalMs: number }> {
  let last = performance.now();
  let worst = 0;
  let on = true;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
    if (on) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await fn();
  const totalMs = performance.now() - t0;
  on = false;
  await new Promise((r) => setTimeout(r, 5));
  return { stallMs: worst, totalMs };
}
