export { specContains, inIntervals } from './interval.ts';
