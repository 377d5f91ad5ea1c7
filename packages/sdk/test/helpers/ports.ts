import { createServer } from 'node:net';

/** A free loopback TCP port (bound then released; fine for tests that start a server right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `fn` every `everyMs` until it returns true or `ms` passes; throws on timeout. */
export async function waitFor(what: string, fn: () => Promise<boolean> | boolean, ms = 10_000, everyMs = 50): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
