import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort, waitFor } from './ports.ts';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL 15 (Debian package) in a temp dir on a free
 * loopback port, trust auth, fsync off. PostgreSQL refuses to run as root,
 * so when the test runs as root it runs as the `postgres` user.
 */
export class TestPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'sdk-pg-'));
  port = 0;
  private readonly asRoot = process.getuid?.() === 0;

  private cmd(bin: string, args: string[]): [string, string[]] {
    return this.asRoot ? ['runuser', ['-u', 'postgres', '--', `${BIN}/${bin}`, ...args]] : [`${BIN}/${bin}`, args];
  }

  /** initdb (once) and start; resolves when it accepts TCP connections. */
  async start(): Promise<void> {
    if (this.port === 0) {
      if (this.asRoot) chownSync(this.dir, Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim()), Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim()));
      const [c, a] = this.cmd('initdb', ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions']);
      const r = spawnSync(c, a, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`initdb: ${r.stderr}`);
      this.port = await freePort();
    }
    const [c, a] = this.cmd('postgres', ['-D', join(this.dir, 'data'), '-p', String(this.port), '-h', '127.0.0.1', '-k', this.dir, '-c', 'fsync=off', '-c', 'full_page_writes=off']);
    const child = spawn(c, a, { stdio: 'ignore', detached: false });
    child.unref();
    await waitFor('postgres to accept connections', () => this.accepting(), 20_000, 100);
  }

  private accepting(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = connect(this.port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  }

  /** Fast shutdown (SIGINT to the postmaster, by the PID in postmaster.pid); resolves when it is gone. */
  async stop(): Promise<void> {
    let pid: number;
    try {
      pid = Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return;
    }
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      return;
    }
    await waitFor('postgres to stop', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 20_000, 50);
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
