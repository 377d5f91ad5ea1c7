export type { TargetGroup } from './target-group.ts';
export type { Discoverer, DiscoveryMechanism } from './mechanism.ts';
export type { DiscoveryConfigs } from './target-set.ts';
export { TargetSetDiscovery } from './target-set.ts';
export { FileDiscovery, readGroups, fileDiscovery } from './file/index.ts';
export { staticGroups, staticDiscovery } from './static/index.ts';
export { HttpDiscovery, httpDiscovery } from './http/index.ts';
