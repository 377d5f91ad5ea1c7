export type { AlertStore, AlertListener } from './mem.ts';
export { MemAlertStore } from './mem.ts';
