export type { TargetGroup } from './target-group.ts';
export { FileDiscovery, readGroups } from './file-sd.ts';
export { staticGroups } from './static.ts';
