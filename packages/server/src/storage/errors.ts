import { VigilError } from '@vigil/core';

/** Why a storage refused one sample; mirrors Prometheus's sentinel errors. */
export type RejectionReason = 'out_of_order' | 'out_of_bounds' | 'duplicate_sample' | 'too_old' | 'invalid_labels';

const MESSAGES: Record<RejectionReason, string> = {
  out_of_order: 'out of order sample',
  out_of_bounds: 'out of bounds',
  duplicate_sample: 'duplicate sample for timestamp',
  too_old: 'too old sample',
  invalid_labels: 'invalid labels',
};

/**
 * Thrown by {@link Appender.append} for a single refused sample. Callers on
 * hot paths (scrape) catch it, count it by `reason`, and carry on.
 */
export class StorageRejection extends VigilError {
  constructor(
    readonly reason: RejectionReason,
    detail?: string,
  ) {
    super(`VIGIL_ERR_STORAGE_${reason.toUpperCase()}`, detail ? `${MESSAGES[reason]}: ${detail}` : MESSAGES[reason]);
  }
}

/** Bit pattern Prometheus uses for staleness markers: 0x7ff0000000000002. */
export const STALE_NAN_BITS_HI = 0x7ff00000;
export const STALE_NAN_BITS_LO = 0x00000002;

const staleBuf = new DataView(new ArrayBuffer(8));
staleBuf.setUint32(0, STALE_NAN_BITS_HI);
staleBuf.setUint32(4, STALE_NAN_BITS_LO);
/** The staleness marker value. Compare with {@link isStaleNaN}, never with `===`. */
export const STALE_NAN: number = staleBuf.getFloat64(0);

const probe = new DataView(new ArrayBuffer(8));
/** True when `v` carries the exact staleness-marker bit pattern. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  probe.setFloat64(0, v);
  return probe.getUint32(0) === STALE_NAN_BITS_HI && probe.getUint32(4) === STALE_NAN_BITS_LO;
}
