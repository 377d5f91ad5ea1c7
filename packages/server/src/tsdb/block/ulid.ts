import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (26 characters: 48-bit millisecond time, 80 random bits), sortable by creation time. */
export function ulid(now = Date.now()): string {
  let out = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  const r = randomBytes(10);
  let bits = 0;
  let acc = 0;
  let rnd = '';
  for (const b of r) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      rnd += CROCKFORD[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out + rnd;
}

export function isULID(s: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(s);
}
