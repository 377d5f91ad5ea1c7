import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Whole-file JSON snapshots written atomically (temp file + rename), so a
 * `kill -9` leaves either the previous or the new snapshot, never a torn one.
 * Format: `{ "version": 1, "entries": [...] }`; see docs/alerting.md.
 */
export class SnapshotFile<T> {
  constructor(readonly path: string | undefined) {}

  /** The stored entries, or [] when there is no file (or no path). */
  read(): T[] {
    if (!this.path) return [];
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const doc = JSON.parse(text) as { version: number; entries: T[] };
    return doc.entries ?? [];
  }

  write(entries: readonly T[]): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, entries }));
    renameSync(tmp, this.path);
  }
}
