export { MemoryStorage, createMemoryStorage } from './memory-storage.ts';
export { rng } from './rng.ts';
