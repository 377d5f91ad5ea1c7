export type {
  SeriesRef,
  Appender,
  Appendable,
  SampleIterator,
  Series,
  SeriesSet,
  SelectHints,
  Querier,
  Queryable,
  Storage,
} from './interface.ts';
export type { RejectionReason } from './errors.ts';
export { StorageRejection, STALE_NAN, isStaleNaN } from './errors.ts';
