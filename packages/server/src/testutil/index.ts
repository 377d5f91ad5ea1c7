export { MemoryStorage, createMemoryStorage } from './memory-storage.ts';
