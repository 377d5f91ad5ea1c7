// Shared pieces of the alert-router e2e tests: loopback webhook receivers,
// free ports, and Debian's alertmanager as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';

export const DEBIAN_ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

/** A webhook receiver on loopback recording every JSON body it gets, in arrival order. */
export interface Hook {
  url: string;
  bodies: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export async function startHook(status = 200): Promise<Hook> {
  const bodies: Hook['bodies'] = [];
  const srv: Server = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      try {
        bodies.push(JSON.parse(b));
      } catch {
        bodies.push({ raw: b });
      }
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, close: () => new Promise((r) => srv.close(() => r())) };
}

/** A currently free loopback port (bind to 0, read, close). */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls until `url` answers 200. */
export async function waitReady(url: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

/** Starts Debian's alertmanager on loopback with clustering off; `stop()` kills it by PID. */
export async function startDebianAlertmanager(configFile: string, storage: string): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn(
    DEBIAN_ALERTMANAGER,
    [`--config.file=${configFile}`, `--storage.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${url}/-/ready`);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}: ${err}`);
  }
  return {
    url,
    proc,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

export async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
