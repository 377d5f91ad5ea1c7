import type { BlockMeta } from './block/meta.ts';

export interface CompactionPlan {
  ulids: string[];
  reason: 'level' | 'overlap' | 'tombstones';
}

/** The longest block Vigil builds: 31 days, or a tenth of the time retention when that is shorter (as Prometheus). */
export function maxBlockDuration(blockRange: number, retentionMs: number): number {
  let max = 31 * 24 * 3600_000;
  if (retentionMs > 0) max = Math.min(max, Math.max(blockRange, retentionMs / 10));
  return max;
}

/**
 * Picks the next compaction, Prometheus's way: overlapping blocks first
 * (vertical compaction, e.g. after a backfill); otherwise, for ranges
 * blockRange×3, ×9, ×27 … up to {@link maxBlockDuration}, two or more blocks
 * inside one aligned range that has been completed (a newer block starts at
 * or after its end) are merged into one.
 */
export function planCompaction(metas: readonly BlockMeta[], blockRange: number, retentionMs: number): CompactionPlan | undefined {
  const sorted = [...metas].sort((a, b) => a.minTime - b.minTime);
  // Overlaps.
  for (let i = 0; i + 1 < sorted.length; i++) {
    const group = [sorted[i]!];
    let end = sorted[i]!.maxTime;
    for (let j = i + 1; j < sorted.length && sorted[j]!.minTime < end; j++) {
      group.push(sorted[j]!);
      end = Math.max(end, sorted[j]!.maxTime);
    }
    if (group.length > 1) return { ulids: group.map((m) => m.ulid), reason: 'overlap' };
  }
  if (sorted.length < 2) return undefined;
  const newest = sorted[sorted.length - 1]!.maxTime;
  const max = maxBlockDuration(blockRange, retentionMs);
  for (let range = blockRange * 3; range <= max; range *= 3) {
    const groups = new Map<number, BlockMeta[]>();
    for (const m of sorted) {
      const start = Math.floor(m.minTime / range) * range;
      if (m.maxTime > start + range) continue; // spans the boundary: already larger
      let g = groups.get(start);
      if (!g) groups.set(start, (g = []));
      g.push(m);
    }
    for (const [start, g] of groups) {
      if (g.length < 2) continue;
      if (start + range > newest) continue; // range still filling
      return { ulids: g.map((m) => m.ulid), reason: 'level' };
    }
  }
  return undefined;
}
