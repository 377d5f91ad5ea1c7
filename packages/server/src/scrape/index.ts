export type { ScrapeManagerOptions } from './manager.ts';
export { ScrapeManager } from './manager.ts';
export { Target, targetsFromGroups } from './target.ts';
export type { Health } from './target.ts';
export { ScrapeLoop, scrapeOffset, SYNTHETIC_SERIES } from './loop.ts';
export type { LoopDeps } from './loop.ts';
export { acceptHeader } from './fetch.ts';
export { ScrapeMetrics } from './metrics.ts';
