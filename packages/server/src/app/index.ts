export type { Vigil } from './vigil.ts';
export { startVigil } from './vigil.ts';
export type { VigilOptions } from './options.ts';
export { defaultOptions, splitHostPort } from './options.ts';
export type { Service, Reloadable } from './service.ts';
export { buildInfo } from './build-info.ts';
