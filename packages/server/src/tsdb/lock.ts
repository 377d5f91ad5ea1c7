import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '@vigil/core';

/**
 * A PID lock file in the storage directory, so two processes never append
 * to the same WAL (Prometheus holds `lock` with flock for the same reason).
 * A lock left by a process that no longer runs (kill -9) is taken over.
 */
export class DirLock {
  private readonly path: string;
  private held = false;

  constructor(dir: string) {
    this.path = join(dir, 'lock');
  }

  /** @throws VigilError `VIGIL_ERR_TSDB_LOCKED` when a live process holds the directory */
  acquire(): void {
    let other: number | undefined;
    try {
      other = Number(readFileSync(this.path, 'utf8').trim());
    } catch {
      other = undefined;
    }
    if (other && other !== process.pid && alive(other)) {
      throw new VigilError('VIGIL_ERR_TSDB_LOCKED', `storage directory is in use by process ${other} (lock file ${this.path}); stop it or use another --storage.tsdb.path`);
    }
    writeFileSync(this.path, `${process.pid}\n`);
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
