export type { ScrapeManagerOptions } from './manager.ts';
export { ScrapeManager } from './manager.ts';
export { Target, targetsFromGroups } from './target.ts';
export type { Health } from './target.ts';
