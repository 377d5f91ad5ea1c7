/** `vigil check config FILE…`: promtool's `check config`, exit 0 when every file is valid. */
export async function runCheckConfig(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error('vigil check config: expected at least one FILE');
    return 2;
  }
  const { checkConfigFiles } = await import('@vigil/server/config/index.ts');
  // Rule files named by the config get the full check (PromQL and templates), as promtool does.
  const { checkRuleFiles } = await import('@vigil/server/rules/index.ts');
  return checkConfigFiles(files, (line: string) => console.log(line), { checkRuleFiles });
}
