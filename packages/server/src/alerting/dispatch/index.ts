export { Route, formatMatcher, formatLabelSet, goQuote } from './route.ts';
