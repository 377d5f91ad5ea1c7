/**
 * Base class of every error Vigil raises on purpose. `code` is stable
 * (`VIGIL_ERR_<AREA>_<WHAT>`) and is what tests and API clients should match;
 * the message is for people. Wrap underlying errors with `{ cause }`.
 */
export class VigilError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A problem in a configuration or rule file, pointing at file:line:col and a key path. */
export class ConfigError extends VigilError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly path: string,
    readonly detail: string,
  ) {
    super('VIGIL_ERR_CONFIG_INVALID', `${file}:${line}:${col}: ${path ? path + ': ' : ''}${detail}`);
  }
}

/** Several problems found in one pass over a file; `errors` holds them all in file order. */
export class ConfigErrors extends VigilError {
  constructor(readonly errors: readonly ConfigError[]) {
    super('VIGIL_ERR_CONFIG_INVALID', errors.map((e) => e.message).join('\n'));
  }
}
