export type { TargetGroup } from './target-group.ts';
export { FileDiscovery } from './file-sd.ts';
