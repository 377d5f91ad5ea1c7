export type { WriteHandlerOptions } from './write-handler.ts';
export { registerWriteHandler } from './write-handler.ts';
export type { WireWriteRequest, WireTimeSeries, WireSample, WireLabel } from './proto.ts';
export { writeRequestType } from './proto.ts';
