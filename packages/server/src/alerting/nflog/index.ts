export type { NflogEntry } from './nflog.ts';
export { NotificationLog } from './nflog.ts';
