import { useEffect, useState } from 'preact/hooks';
import { api, type TargetInfo } from '../api/client.ts';

function ago(iso: string): string {
  const t = Date.parse(iso);
  if (!t || t <= 0) return 'never';
  const s = Math.max(0, (Date.now() - t) / 1000);
  return s < 60 ? `${s.toFixed(1)}s ago` : `${Math.round(s / 60)}m ago`;
}

/** Scrape targets grouped by pool: health, endpoint, labels, last scrape, duration, last error. */
export function TargetsPage() {
  const [targets, setTargets] = useState<TargetInfo[] | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    const load = () =>
      api.targets().then(
        (r) => live && setTargets(r.data.activeTargets),
        (e) => live && setError(String(e.message ?? e)),
      );
    void load();
    const timer = setInterval(load, 5000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (error) return <div class="error">{error}</div>;
  if (!targets) return <p>Loading…</p>;
  const pools = new Map<string, TargetInfo[]>();
  for (const t of targets) pools.set(t.scrapePool, [...(pools.get(t.scrapePool) ?? []), t]);
  return (
    <section class="targets-page">
      {[...pools].map(([pool, ts]) => (
        <div class="pool" key={pool}>
          <h2>
            {pool} <span class="count">({ts.filter((t) => t.health === 'up').length}/{ts.length} up)</span>
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
                  <td>{ago(t.lastScrape)}</td>
                  <td>{(t.lastScrapeDuration * 1000).toFixed(1)} ms</td>
                  <td class="last-error">{t.lastError}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
