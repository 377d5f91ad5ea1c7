/** The repository root, with a trailing slash. */
export const repoRoot = new URL('../../../', import.meta.url).pathname;
