import { VigilError } from '@vigil/core';

/** A template that does not parse; the message follows Go's `template: NAME:LINE: …`. */
export class TemplateParseError extends VigilError {
  constructor(
    readonly templateName: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super('VIGIL_ERR_TEMPLATE_PARSE', `template: ${templateName}:${line}: ${detail}`);
  }
}

/** A failure while executing a template; the message follows Go's `template: NAME:LINE:COL: executing "NAME" at <…>: …`. */
export class TemplateExecError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VIGIL_ERR_TEMPLATE_EXEC', message, options);
  }
}
