/** `vigil tsdb …`: storage tools, as promtool's `tsdb` commands. */
export async function runTsdbCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create-blocks-from') {
    const [format, file, dir] = rest;
    if (format !== 'openmetrics' || !file || !dir) {
      console.error('usage: vigil tsdb create-blocks-from openmetrics FILE DIR');
      return 2;
    }
    const { createBlocksFromOpenMetrics, BackfillError } = await import('@vigil/server/tsdb/backfill.ts');
    try {
      const blocks = createBlocksFromOpenMetrics(file, dir);
      for (const b of blocks) {
        console.log(`BLOCK ${b.ulid} ${new Date(b.minTime).toISOString()} - ${new Date(b.maxTime).toISOString()}: ${b.stats.numSeries} series, ${b.stats.numSamples} samples`);
      }
      if (blocks.length === 0) console.log('no samples: no blocks written');
      return 0;
    } catch (e) {
      if (e instanceof BackfillError) {
        console.error(`vigil tsdb create-blocks-from: ${e.message}`);
        return 1;
      }
      throw e;
    }
  }
  if (sub === 'analyze') {
    let limit = 20;
    const pos: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a.startsWith('--limit=')) limit = Number(a.slice(8));
      else if (a === '--limit') limit = Number(rest[++i]);
      else pos.push(a);
    }
    const [dir, block] = pos;
    if (!dir || !Number.isInteger(limit) || limit < 1) {
      console.error('usage: vigil tsdb analyze [--limit=N] DIR [BLOCK-ID]');
      return 2;
    }
    const { analyzeBlock } = await import('@vigil/server/tsdb/analyze.ts');
    try {
      analyzeBlock(dir, block, limit, (l) => console.log(l));
      return 0;
    } catch (e) {
      console.error(`vigil tsdb analyze: ${(e as Error).message}`);
      return 1;
    }
  }
  console.error('usage: vigil tsdb create-blocks-from openmetrics FILE DIR | vigil tsdb analyze [--limit=N] DIR [BLOCK-ID]');
  return 2;
}
