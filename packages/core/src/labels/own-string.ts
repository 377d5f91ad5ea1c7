/**
 * `s` as a string of its own. V8 makes strings of 13+ characters cut out of
 * a larger one (or concatenated) sliced (cons) strings that keep their parent
 * alive: a label value sliced from a scrape body would hold the whole body.
 * A join copies the characters into a new flat string. (A slice of a
 * concatenation, the obvious trick, is itself a sliced string: 32 bytes more.)
 * Shorter strings are copied by V8 already.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : s.split('').join('');
}
