import { VigilError, type Logger } from '@vigil/core';
import type { IntegrationConfig } from '../config/index.ts';
import type { Alert, LabelSet } from '../types.ts';
import type { Render } from '../template/index.ts';

/** Per-notification context passed down the pipeline. Times in ms. */
export interface NotifyContext {
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: LabelSet;
  readonly repeatInterval: number;
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
  readonly now: number;
  /** Set by the dedup stage: fingerprints of the firing and resolved alerts. */
  firing?: string[];
  resolved?: string[];
}

/**
 * A failed notification attempt. `retryable` is the integration's call
 * (5xx and 429 are; other 4xx are not). The message must not contain
 * secrets: use {@link redactURL} for any URL.
 */
export class NotifyError extends VigilError {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super('VIGIL_ERR_NOTIFY_FAILED', message);
  }
}

/** An integration instance: sends one notification for a group. */
export interface Notifier {
  /** Resolves when delivered; rejects with {@link NotifyError}. */
  notify(ctx: NotifyContext, alerts: readonly Alert[]): Promise<void>;
}

/** What every integration's `create` receives besides its own config. */
export interface IntegrationDeps {
  readonly logger: Logger;
  readonly externalURL: string;
  /** Renders a templated config string; defaults to {@link createRenderer}() without an engine. */
  readonly render?: Render;
}

/**
 * The shape of every `notify/<integration>/index.ts`: its YAML key, the
 * keys it accepts (validated by the config loader) and a factory.
 */
export interface IntegrationFactory {
  readonly type: string;
  readonly schema: { readonly key: string };
  create(conf: IntegrationConfig, deps: IntegrationDeps): Notifier;
}

/** Replaces a URL in error text with its scheme and host only (Alertmanager notify.RedactURL). */
export function redactURL(u: string): string {
  try {
    const x = new URL(u);
    return `${x.protocol}//${x.host}/<redacted>`;
  } catch {
    return '<redacted>';
  }
}

/** Decides retry from an HTTP status code, as Alertmanager's notify.RetryCodes default. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * POSTs a JSON body; rejects with a {@link NotifyError} that names the
 * status but never the URL.
 */
export async function postJSON(url: string, body: unknown, signal: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
  return postRaw(url, JSON.stringify(body), signal, headers);
}

/** POSTs a body as is (`application/json` unless `headers` say otherwise); errors as {@link postJSON}. */
export async function postRaw(url: string, body: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.25.0', ...headers },
      body,
      signal,
    });
  } catch (err) {
    const msg = String((err as Error).message ?? err).split(url).join(redactURL(url));
    throw new NotifyError(`request to ${redactURL(url)} failed: ${msg}`, true);
  }
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status > 299) {
    throw new NotifyError(`unexpected status code ${res.status} from ${redactURL(url)}: ${text.slice(0, 200)}`, retryableStatus(res.status));
  }
}
