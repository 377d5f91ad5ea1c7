import { mkdirSync } from 'node:fs';
import { DB, type DBOptions } from './db.ts';

export { DB } from './db.ts';
export type { DBOptions } from './db.ts';

/** Opens (creating if needed) the storage in `opts.dir`, replaying its write-ahead log. */
export async function openDB(opts: DBOptions): Promise<DB> {
  mkdirSync(opts.dir, { recursive: true });
  const db = new DB(opts);
  db.open();
  return db;
}
