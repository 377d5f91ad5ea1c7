import { readFileSync } from 'node:fs';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
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
  /** Callers that keep the object after reading the body should take it out (see the scrape loop). */
  body: string;
  openMetrics: boolean;
  /** Size of the (decompressed) body in bytes. */
  bytes: number;
}

/**
 * GETs a target's metrics over node:http(s) (undici's fetch cost about as
 * much CPU as parsing the body). Rejects with a message in Prometheus's
 * wording on non-200 status, timeout, or a body over `body_size_limit`;
 * gzip responses are decompressed; redirects are followed unless
 * `follow_redirects: false`. Connections are kept alive by the default agent.
 */
export function fetchExposition(url: URL, cfg: ScrapeConfig, timeoutMs: number, signal: AbortSignal): Promise<FetchedBody> {
  const headers: Record<string, string> = {
    Accept: acceptHeader(cfg.scrape_protocols),
    'Accept-Encoding': cfg.enable_compression ? 'gzip' : 'identity',
    'User-Agent': USER_AGENT,
    'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutMs / 1000),
  };
  const auth = authorizationHeader(cfg);
  if (auth) headers.Authorization = auth;
  const deadline = Date.now() + timeoutMs;
  return get(url, cfg, headers, deadline, timeoutMs, signal, 0).catch((err: unknown) => {
    if (err instanceof ScrapeTimeout || (err as Error).message.startsWith('server returned') || (err as Error).message.startsWith('body size')) throw err;
    throw new Error(`Get ${JSON.stringify(url.href)}: ${(err as Error).message}`, { cause: err });
  });
}

const MAX_REDIRECTS = 10;

function get(url: URL, cfg: ScrapeConfig, headers: Record<string, string>, deadline: number, timeoutMs: number, signal: AbortSignal, redirects: number): Promise<FetchedBody> {
  return new Promise<FetchedBody>((resolve, reject) => {
    const tls = cfg.tls_config;
    const options: RequestOptions = { method: 'GET', headers, signal };
    if (url.protocol === 'https:' && tls) {
      Object.assign(options, {
        rejectUnauthorized: !tls.insecure_skip_verify,
        ca: tls.ca_file ? readFileSync(tls.ca_file) : undefined,
        cert: tls.cert_file ? readFileSync(tls.cert_file) : undefined,
        key: tls.key_file ? readFileSync(tls.key_file) : undefined,
        servername: tls.server_name,
      });
    }
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && cfg.follow_redirects !== false && redirects < MAX_REDIRECTS) {
        res.resume();
        clearTimeout(timer);
        get(new URL(res.headers.location, url), cfg, headers, deadline, timeoutMs, signal, redirects + 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`server returned HTTP status ${status} ${res.statusMessage ?? ''}`.trimEnd()));
        return;
      }
      const stream: Readable = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (cfg.body_size_limit > 0 && size > cfg.body_size_limit) {
          // Settle first: the gunzip stream may still emit 'end' after the request is destroyed.
          tooLarge = true;
          reject(new Error(`body size limit exceeded: ${cfg.body_size_limit} bytes`));
          req.destroy();
          if (stream !== res) stream.destroy();
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', reject);
      res.on('error', reject);
      stream.on('end', () => {
        if (tooLarge) return;
        const ct = res.headers['content-type'] ?? '';
        const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        // This closure's array is old by now (it lived through the transfer);
        // emptied, it no longer keeps the chunks alive until a full collection.
        chunks.length = 0;
        resolve({ body: buf.toString('utf8'), openMetrics: ct.startsWith('application/openmetrics-text'), bytes: size });
      });
    });
    const timer = setTimeout(() => req.destroy(new ScrapeTimeout(timeoutMs)), Math.max(0, deadline - Date.now()));
    req.on('error', (err) => reject((err as Error & { cause?: unknown }).cause instanceof ScrapeTimeout ? (err as { cause: ScrapeTimeout }).cause : err));
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
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
  return err instanceof Error ? err.message : String(err);
}
