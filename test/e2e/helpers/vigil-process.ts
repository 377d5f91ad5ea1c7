import { startProcess, waitForUrl, type Child } from './process.ts';

/** `vigil start` as a user runs it, in a child process on a known loopback port. */
export interface VigilProcess extends Child {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

/**
 * Starts `node packages/cli/bin/vigil.js start` with the given config file,
 * storage directory and port, and resolves once `/-/ready` answers (or
 * rejects with the process output if it exits first).
 */
export async function startVigilProcess(opts: { configFile: string; storagePath: string; port: number; extraFlags?: string[] }): Promise<VigilProcess> {
  const child = startProcess('vigil', process.execPath, [
    'packages/cli/bin/vigil.js',
    'start',
    `--config.file=${opts.configFile}`,
    `--storage.tsdb.path=${opts.storagePath}`,
    `--web.listen-address=127.0.0.1:${opts.port}`,
    '--log.level=warn',
    ...(opts.extraFlags ?? []),
  ]);
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitForUrl(`${url}/-/ready`, 60_000, child);
  } catch (err) {
    await child.stop('SIGKILL');
    throw err;
  }
  return Object.assign(child, { url });
}
