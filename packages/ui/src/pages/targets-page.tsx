import { useEffect, useState } from 'preact/hooks';
import { api, type TargetInfo } from '../api/client.ts';

const REFRESH_MS = 5000;

/** `2.3s ago`, `4m ago`; `never` before the first scrape (the API sends the zero time). */
export function ago(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (!t || t <= 0) return 'never';
  const s = Math.max(0, (now - t) / 1000);
  if (s < 60) return `${s.toFixed(1)}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

function groupByPool(targets: TargetInfo[]): Map<string, TargetInfo[]> {
  const pools = new Map<string, TargetInfo[]>();
  for (const t of targets) pools.set(t.scrapePool, [...(pools.get(t.scrapePool) ?? []), t]);
  return new Map([...pools].sort(([a], [b]) => a.localeCompare(b)));
}

/** Scrape targets grouped by pool: health, endpoint, labels, last scrape, duration, last error; refreshed every 5 s. */
export function TargetsPage() {
  const [targets, setTargets] = useState<TargetInfo[] | undefined>();
  const [error, setError] = useState('');
  const [onlyUnhealthy, setOnlyUnhealthy] = useState(false);
  useEffect(() => {
    let live = true;
    const load = () =>
      api.targets().then(
        (r) => {
          if (!live) return;
          setTargets(r.data.activeTargets);
          setError('');
        },
        (e: Error) => live && setError(e.message),
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (!targets) return error ? <div class="error">{error}</div> : <p class="empty">Loading targets…</p>;
  const up = targets.filter((t) => t.health === 'up').length;
  const pools = groupByPool(onlyUnhealthy ? targets.filter((t) => t.health !== 'up') : targets);
  return (
    <section class="targets-page">
      <div class="toolbar">
        <span class="summary">
          {targets.length} targets, {up} up, {targets.length - up} not up
        </span>
        <label class="step">
          <input type="checkbox" checked={onlyUnhealthy} onChange={(e) => setOnlyUnhealthy((e.target as HTMLInputElement).checked)} /> Unhealthy only
        </label>
      </div>
      {error && <div class="error">{error}</div>}
      {[...pools].map(([pool, ts]) => (
        <div class="pool" key={pool}>
          <h2>
            {pool}
            <span class="count">
              {ts.filter((t) => t.health === 'up').length}/{ts.length} up
            </span>
          </h2>
          <table class="targets">
            <thead>
              <tr>
                <th>Endpoint</th>
                <th>State</th>
                <th>Labels</th>
                <th>Last scrape</th>
                <th>Duration</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {ts.map((t) => (
                <tr key={t.scrapeUrl} class={`target ${t.health}`}>
                  <td>
                    <a href={t.scrapeUrl}>{t.scrapeUrl}</a>
                  </td>
                  <td>
                    <span class={`badge ${t.health}`}>{t.health.toUpperCase()}</span>
                  </td>
                  <td class="labels">
                    {Object.entries(t.labels).map(([k, v]) => (
                      <span class="label" key={k}>
                        {k}="{v}"
                      </span>
                    ))}
                  </td>
                  <td class="num" title={t.lastScrape}>
                    {ago(t.lastScrape)}
                  </td>
                  <td class="num">{(t.lastScrapeDuration * 1000).toFixed(1)} ms</td>
                  <td class="last-error">{t.lastError}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {pools.size === 0 && <p class="empty">{onlyUnhealthy ? 'Every target is up.' : 'No targets configured.'}</p>}
    </section>
  );
}
