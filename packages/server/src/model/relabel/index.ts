export type { CompiledRelabel } from './relabel.ts';
export { compileRelabel, relabel } from './relabel.ts';
