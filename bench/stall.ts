// The longest event-loop stall while a piece of work runs, for the benches.

/**
 * Longest gap between 1 ms timer ticks (minus the 1 ms) while `fn` runs,
 * and the CPU time the process used during that gap (`stallCpuMs`, all
 * threads: above the gap when V8's helper threads collected garbage in
 * parallel, well below it when the process was not scheduled, as when more
 * busy processes than cores share the host).
 */
export async function maxStall(fn: () => Promise<unknown>): Promise<{ stallMs: number; stallCpuMs: number; totalMs: number }> {
  let last = performance.now();
  let lastCpu = cpuMs();
  let worst = 0;
  let worstCpu = 0;
  let on = true;
  const tick = () => {
    const now = performance.now();
    const cpu = cpuMs();
    if (now - last - 1 > worst) {
      worst = now - last - 1;
      worstCpu = cpu - lastCpu;
    }
    last = now;
    lastCpu = cpu;
    if (on) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await fn();
  const totalMs = performance.now() - t0;
  on = false;
  await new Promise((r) => setTimeout(r, 5));
  return { stallMs: worst, stallCpuMs: worstCpu, totalMs };
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
