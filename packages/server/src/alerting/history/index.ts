export type { HistoryEvent, HistoryKind, HistoryQuery } from './history.ts';
export { AlertHistory } from './history.ts';
export type { Ack } from './acks.ts';
export { Acks, AckStage } from './acks.ts';
