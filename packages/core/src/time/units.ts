/**
 * Byte sizes as Prometheus's `units.Base2Bytes` reads them: `512MB`, `1GB`,
 * `100KiB`, `0B`, `0`; KB/MB/… are powers of 1024.
 */
const UNIT: Record<string, number> = {
  B: 1,
  KB: 1024,
  KIB: 1024,
  MB: 1024 ** 2,
  MIB: 1024 ** 2,
  GB: 1024 ** 3,
  GIB: 1024 ** 3,
  TB: 1024 ** 4,
  TIB: 1024 ** 4,
  PB: 1024 ** 5,
  PIB: 1024 ** 5,
  EB: 1024 ** 6,
  EIB: 1024 ** 6,
};

/** Parses a byte size to a number of bytes. @throws Error naming the input */
export function parseBytes(s: string): number {
  if (s === '0') return 0;
  const m = /^(\d+)([KMGTPE]I?B|B)$/i.exec(s.trim());
  if (!m) throw new Error(`not a valid byte size: ${JSON.stringify(s)}`);
  return Number(m[1]) * UNIT[m[2]!.toUpperCase()]!;
}
