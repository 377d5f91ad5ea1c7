import { createHash } from 'node:crypto';

/**
 * A stable id for "the same error": its name plus the top stack frames with
 * line/column numbers and absolute paths stripped, so the same bug groups
 * together across deploys and machines while different call sites differ.
 */
export function fingerprint(err: unknown, frames = 5): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const lines = (e.stack ?? '')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim().startsWith('at '))
    .slice(0, frames)
    .map((l) =>
      l
        .trim()
        .replace(/:\d+:\d+\)?$/, '')
        .replace(/\(?(file:\/\/)?\/.*\/(node_modules\/)?/, '')
        .replace(/\s+\(/, ' '),
    );
  return createHash('sha1').update(`${e.name}\n${lines.join('\n')}`).digest('hex').slice(0, 16);
}
