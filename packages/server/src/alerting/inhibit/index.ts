export { Inhibitor } from './inhibitor.ts';
