import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@vigil/core';
import { defaultOptions, startVigil, type Vigil, type VigilOptions } from '@vigil/server/app/index.ts';
import { repoRoot } from './paths.ts';

export { repoRoot } from './paths.ts';
export { waitFor } from './process.ts';

/** Builds the UI once when a test needs it and it is missing. */
export function ensureUiBuilt(): void {
  if (existsSync(join(repoRoot, 'packages/ui/dist/index.html'))) return;
  const r = spawnSync('npm', ['run', 'build', '--workspace', '@vigil/ui'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('UI build failed');
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
