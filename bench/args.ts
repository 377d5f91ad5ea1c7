/** A numeric `--name N` command-line option of a bench, or `def` when absent. */
export function numArg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
