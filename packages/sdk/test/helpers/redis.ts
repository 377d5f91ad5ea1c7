import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.ts';

/** A throwaway redis-server (Debian package) on a free loopback port, no persistence. */
export class TestRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'sdk-redis-'));
  port = 0;
  private child: ChildProcess | undefined;

  /** Starts (or restarts on the same port); resolves when it answers PING. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('redis to be ready', () => out.includes('Ready to accept connections'), 10_000, 25);
  }

  /** Stops it by PID; resolves on exit. */
  async stop(): Promise<void> {
    const c = this.child;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
