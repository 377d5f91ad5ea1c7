import { readFileSync } from 'node:fs';
import type { ScrapeConfig } from '../config/index.ts';

/**
 * The Accept header Prometheus 3 sends for its default `scrape_protocols`,
 * so exporters that negotiate pick the same format for Vigil as for Prometheus.
 */
const PROTOCOL_MEDIA_TYPES: Record<string, string> = {
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
};

/** Builds the Accept header for a scrape config's `scrape_protocols`, highest preference first (Prometheus's `acceptHeader`). */
export function acceptHeader(protocols: readonly string[]): string {
  const parts: string[] = [];
  // Prometheus starts at the number of protocols it knows (including protobuf) + 1.
  let weight = 6;
  for (const p of protocols) {
    const mt = PROTOCOL_MEDIA_TYPES[p];
    if (!mt) continue;
    parts.push(`${mt};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(',');
}

const USER_AGENT = 'Vigil/0.1';

/** A fetched exposition body and the format its Content-Type announced. */
export interface FetchedBody {
  body: string;
  openMetrics: boolean;
  /** Size of the (decompressed) body in bytes. */
  bytes: number;
}

/**
 * GETs a target's metrics. Rejects with a message in Prometheus's wording on
 * non-200 status, timeout, or a body over `body_size_limit`. Gzip responses
 * are decompressed by fetch itself.
 */
export async function fetchExposition(url: URL, cfg: ScrapeConfig, timeoutMs: number, signal: AbortSignal): Promise<FetchedBody> {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ctl.abort(new ScrapeTimeout(timeoutMs)), timeoutMs);
  try {
    const headers: Record<string, string> = {
      Accept: acceptHeader(cfg.scrape_protocols),
      'Accept-Encoding': cfg.enable_compression ? 'gzip' : 'identity',
      'User-Agent': USER_AGENT,
      'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutMs / 1000),
    };
    const auth = authorizationHeader(cfg);
    if (auth) headers.Authorization = auth;
    const res = await fetch(url, { headers, signal: ctl.signal, redirect: cfg.follow_redirects === false ? 'manual' : 'follow' });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`.trimEnd());
    }
    const buf = Buffer.from(await res.arrayBuffer());
    if (cfg.body_size_limit > 0 && buf.length > cfg.body_size_limit) {
      throw new Error(`body size limit exceeded: ${cfg.body_size_limit} bytes`);
    }
    const ct = res.headers.get('content-type') ?? '';
    return { body: buf.toString('utf8'), openMetrics: ct.startsWith('application/openmetrics-text'), bytes: buf.length };
  } catch (err) {
    // fetch rejects with the abort reason or wraps it; surface the timeout in Prometheus's words.
    if (ctl.signal.reason instanceof ScrapeTimeout) throw ctl.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** The scrape did not finish within its timeout. */
export class ScrapeTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`context deadline exceeded (scrape timeout ${timeoutMs / 1000}s)`);
    this.name = 'ScrapeTimeout';
  }
}

/**
 * The Authorization header for basic_auth / authorization / bearer_token.
 * Credential files are read on every scrape, as Prometheus does, so a rotated
 * secret is picked up without a reload.
 */
export function authorizationHeader(cfg: ScrapeConfig): string | undefined {
  if (cfg.basic_auth) {
    const user = cfg.basic_auth.username ?? (cfg.basic_auth.username_file ? readFileSync(cfg.basic_auth.username_file, 'utf8').trim() : '');
    const pass = cfg.basic_auth.password ?? (cfg.basic_auth.password_file ? readFileSync(cfg.basic_auth.password_file, 'utf8').trim() : '');
    return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  if (cfg.authorization) {
    const cred = cfg.authorization.credentials ?? (cfg.authorization.credentials_file ? readFileSync(cfg.authorization.credentials_file, 'utf8').trim() : '');
    return `${cfg.authorization.type ?? 'Bearer'} ${cred}`;
  }
  return undefined;
}

/** A fetch failure as one line for `lastError`. */
export function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e instanceof ScrapeTimeout) return e.message;
  if (e?.cause?.code) return `${e.message}: ${e.cause.code} ${e.cause.message ?? ''}`.trim();
  return e?.message ?? String(err);
}
