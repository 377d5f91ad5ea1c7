import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { repoRoot } from './paths.ts';

/** A child process started by a test, with its output kept for failure messages. */
export interface Child {
  readonly proc: ChildProcess;
  readonly name: string;
  /** stdout and stderr interleaved, as received so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /**
   * Sends `signal` and waits for the exit. After `graceMs` without an exit the
   * process is SIGKILLed, so a test never leaves it behind. Idempotent.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

/** Starts `cmd args` (cwd: the repo root unless given), collecting its output. */
export function startProcess(name: string, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  const proc = spawn(cmd, args, { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    // Long runs: keep the tail, which is what a failure message needs.
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
    proc.once('error', (err) => {
      out += `\nspawn error: ${err.message}`;
      resolve(-1);
    });
  });
  return {
    proc,
    name,
    exited,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(signal);
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exited;
    },
  };
}

/**
 * A loopback TCP port that was free a moment ago. For programs that must be
 * told their port up front (a config file that names the target); there is a
 * small window in which another process could take it.
 */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value or `ms` pass; the error names `what` and the last failure. */
export async function waitFor<T>(fn: () => Promise<T | undefined | false>, ms: number, what: string, everyMs = 250): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/**
 * Waits until `url` answers 2xx. When `child` is given, fails at once if it
 * exits first, with its output in the error.
 */
export async function waitForUrl(url: string, ms: number, child?: Child): Promise<void> {
  let dead: string | undefined;
  void child?.exited.then((code) => (dead = `${child.name} exited (${code}) before ${url} answered:\n${child.output().slice(-4000)}`));
  await waitFor(
    async () => {
      if (dead) return true;
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.ok;
    },
    ms,
    url,
  );
  if (dead) throw new Error(dead);
}
