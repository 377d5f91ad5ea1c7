import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@vigil/core';
import { defaultOptions, startVigil, type Vigil, type VigilOptions } from '@vigil/server/app/index.ts';
import { repoRoot } from './paths.ts';

export { repoRoot } from './paths.ts';
export { waitFor } from './process.ts';

/** The newest modification time (ms) of a file or of any file under a directory. */
function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

function uiIsFresh(ui: string): boolean {
  const built = join(ui, 'dist/index.html');
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(ui, p)).filter(existsSync);
  return existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime));
}

/**
 * Builds the UI when a test needs it and `dist` is missing or older than its
 * sources. Test files run in parallel, so a lock directory keeps two of them
 * from building into the same `dist` at once; the second waits, then finds it fresh.
 */
export function ensureUiBuilt(): void {
  const ui = join(repoRoot, 'packages/ui');
  if (uiIsFresh(ui)) return;
  const lock = join(tmpdir(), `vigil-ui-build-${Buffer.from(repoRoot).toString('hex').slice(-16)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline belongs to a build that died.
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (uiIsFresh(ui)) return;
    const r = spawnSync('npm', ['run', 'build', '--workspace', '@vigil/ui'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('UI build failed');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Starts a whole Vigil server in this process on a free loopback port with a fresh storage directory. */
export async function startTestVigil(overrides: Partial<VigilOptions> = {}): Promise<{ vigil: Vigil; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const vigil = await startVigil(
    defaultOptions(createLogger({ level: 'warn' }), { listenAddress: '127.0.0.1:0', storagePath: dir, ...overrides }),
  );
  return {
    vigil,
    dir,
    async close() {
      await vigil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Chromium from Debian, headless, with the flags this machine's closed network needs. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
