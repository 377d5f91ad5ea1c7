// The line bench/sdk-overhead-server.ts prints once listening, read by the
// benches that spawn it (sdk-overhead, sdk-instructions).
import type { ChildProcess } from 'node:child_process';

/** Waits for "PORT <n> CONTEXT <bool>" on the child's stdout; rejects if it exits first or after `timeoutMs`. */
export function serverReady(child: ChildProcess, label: string, timeoutMs = 300_000, stderr: () => string = () => ''): Promise<{ port: number; context: boolean }> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+) CONTEXT (\w+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), context: m[2] === 'true' });
    });
    child.once('exit', (c) => reject(new Error(`${label} exited with ${c} before listening ${stderr()}`)));
    setTimeout(() => reject(new Error(`${label}: not listening after ${timeoutMs / 1000} s`)), timeoutMs).unref();
  });
}
