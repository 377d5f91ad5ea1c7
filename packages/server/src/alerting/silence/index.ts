export type { Silence, SilenceMatcher, SilenceState } from './silences.ts';
export { Silences, SilenceError, compileSilenceMatchers } from './silences.ts';
