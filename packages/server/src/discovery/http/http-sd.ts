import { readFileSync } from 'node:fs';
import type { Logger } from '@vigil/core';
import type { HttpSDConfig } from '../../config/index.ts';
import type { TargetGroup } from '../target-group.ts';

/**
 * HTTP-based discovery: GETs `url` every `refresh_interval`; the answer is
 * a JSON list of `{targets, labels}` (the file_sd shape) with status 200 and
 * `Content-Type: application/json`. A failed refresh keeps the last good
 * groups and logs the error, as Prometheus does. Each group gets `__meta_url`.
 */
export class HttpDiscovery {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private groups: TargetGroup[] = [];

  constructor(
    private readonly cfg: HttpSDConfig,
    private readonly logger: Logger,
    private readonly onUpdate: (groups: TargetGroup[]) => void,
  ) {}

  /** Fetches once (delivering the groups, or none when the first fetch fails), then polls. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.stopped) return;
    this.timer = setInterval(() => void this.refresh(), Math.max(this.cfg.refresh_interval, 1000));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** One poll; never rejects. */
  async refresh(): Promise<void> {
    try {
      this.groups = await fetchGroups(this.cfg);
    } catch (err) {
      this.logger.error({ url: this.cfg.url, err: (err as Error).message }, 'error refreshing http_sd targets');
    }
    if (!this.stopped) this.onUpdate(this.groups);
  }
}

async function fetchGroups(cfg: HttpSDConfig): Promise<TargetGroup[]> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Prometheus-Refresh-Interval-Seconds': String(cfg.refresh_interval / 1000) };
  if (cfg.basic_auth) {
    const user = cfg.basic_auth.username ?? '';
    const pass = cfg.basic_auth.password ?? (cfg.basic_auth.password_file ? readFileSync(cfg.basic_auth.password_file, 'utf8').trim() : '');
    headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  } else if (cfg.authorization) {
    const cred = cfg.authorization.credentials ?? (cfg.authorization.credentials_file ? readFileSync(cfg.authorization.credentials_file, 'utf8').trim() : '');
    headers.Authorization = `${cfg.authorization.type ?? 'Bearer'} ${cred}`;
  }
  const res = await fetch(cfg.url, { headers, signal: AbortSignal.timeout(Math.max(cfg.refresh_interval, 1000)) });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`.trimEnd());
  }
  const ct = res.headers.get('content-type') ?? '';
  if (!/^application\/json(;|$)/i.test(ct)) throw new Error(`unsupported content type ${JSON.stringify(ct)}`);
  const data: unknown = await res.json();
  if (!Array.isArray(data)) throw new Error('expected a list of target groups');
  return data.map((g: unknown, i: number) => {
    const { targets, labels = {} } = (g ?? {}) as { targets?: unknown; labels?: unknown };
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) throw new Error(`group ${i}: "targets" must be a list of strings`);
    if (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string')) throw new Error(`group ${i}: "labels" must map names to strings`);
    return {
      source: `${cfg.url}:${i}`,
      labels: { ...(labels as Record<string, string>), __meta_url: cfg.url },
      targets: (targets as string[]).map((t) => ({ __address__: t })),
    };
  });
}
