export { Route, formatMatcher, formatLabelSet, goQuote } from './route.ts';
export { Dispatcher, groupLabels } from './dispatcher.ts';
export type { FlushFn } from './aggr-group.ts';
export { AggrGroup } from './aggr-group.ts';
