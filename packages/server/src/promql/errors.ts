import { VigilError } from '@vigil/core';

/** A syntax or type error in a PromQL expression; maps to HTTP 400 `bad_data`. */
export class PromQLParseError extends VigilError {
  constructor(
    message: string,
    /** Byte offsets into the expression, [start, end). */
    readonly positionRange: { start: number; end: number },
  ) {
    super('VIGIL_ERR_PROMQL_PARSE', message);
  }
}

/** An error during evaluation (e.g. many-to-many matching); maps to HTTP 422 `execution`. */
export class PromQLExecError extends VigilError {
  constructor(message: string) {
    super('VIGIL_ERR_PROMQL_EXEC', message);
  }
}

/** Evaluation exceeded its timeout; maps to HTTP 503 `timeout`. */
export class QueryTimeoutError extends VigilError {
  constructor(where = 'query execution') {
    super('VIGIL_ERR_PROMQL_TIMEOUT', `query timed out in ${where}`);
  }
}

/** Evaluation was aborted by the caller; maps to HTTP 503 `canceled`. */
export class QueryCanceledError extends VigilError {
  constructor(where = 'query execution') {
    super('VIGIL_ERR_PROMQL_CANCELED', `query was canceled in ${where}`);
  }
}

/** `--query.max-samples` exceeded; maps to HTTP 422 `execution`. */
export class TooManySamplesError extends VigilError {
  constructor(where = 'query execution') {
    super('VIGIL_ERR_PROMQL_TOO_MANY_SAMPLES', `query processing would load too many samples into memory in ${where}`);
  }
}
