import type { Labels } from '@vigil/core';

/** `meta.json` of a block, in the shape Prometheus uses for its own blocks. */
export interface BlockMeta {
  ulid: string;
  /** Inclusive start and exclusive end of the block's time range, ms. */
  minTime: number;
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number };
  compaction: { level: number; sources: string[]; parents?: Array<{ ulid: string; minTime: number; maxTime: number }> };
  version: number;
  /** Vigil's chunk and index encoding version. */
  vigil: { format: 1 };
}

export const META_FILE = 'meta.json';
export const INDEX_FILE = 'index';
export const CHUNKS_FILE = 'chunks';

/** One series of a block's index: its labels and where its chunk is in `chunks`. */
export interface IndexSeries {
  labels: Labels;
  /** Byte offset and length (without the CRC) of the chunk. */
  off: number;
  len: number;
  /** First and last sample time, and sample count. */
  mint: number;
  maxt: number;
  n: number;
}
