import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatMetric, type MatrixResult } from '../api/client.ts';

const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#6366f1'];

/**
 * Draws a range-query result with uPlot: one line per series, on a shared
 * time axis built from every series' timestamps (gaps where a series has no
 * point), legend with label sets.
 */
export function Chart({ data, start, end }: { data: MatrixResult; start: number; end: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const times = new Set<number>();
    for (const s of data.result) for (const [t] of s.values) times.add(t);
    const xs = [...times].sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const ys = data.result.map((s) => {
      const col: Array<number | null> = new Array(xs.length).fill(null);
      for (const [t, v] of s.values) col[index.get(t)!] = Number(v);
      return col;
    });
    const opts: uPlot.Options = {
      width: el.current.clientWidth || 900,
      height: 360,
      series: [
        {},
        ...data.result.map((s, i) => ({
          label: formatMetric(s.metric),
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: false,
        })),
      ],
      axes: [{ stroke: '#9ca3af', grid: { stroke: '#2a2f3a' } }, { stroke: '#9ca3af', grid: { stroke: '#2a2f3a' }, size: 70 }],
      scales: { x: { time: true, range: [start, end] } },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    const plot = new uPlot(opts, [xs, ...ys] as uPlot.AlignedData, el.current);
    const onResize = () => plot.setSize({ width: el.current?.clientWidth || 900, height: 360 });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [data, start, end]);
  return <div class="chart" ref={el} data-series={data.result.length} />;
}
