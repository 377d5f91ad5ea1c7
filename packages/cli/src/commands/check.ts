/** `vigil check config FILE…`: promtool's `check config`, exit 0 when every file is valid. */
export async function runCheckConfig(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error('vigil check config: expected at least one FILE');
    return 2;
  }
  const { checkConfigFiles } = await import('@vigil/server/config/index.ts');
  return checkConfigFiles(files, (line: string) => console.log(line));
}
