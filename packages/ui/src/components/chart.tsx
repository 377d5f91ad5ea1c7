import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatMetric, type MatrixResult } from '../api/client.ts';
import { formatValue } from './format.ts';

const PALETTE = ['#60a5fa', '#f59e0b', '#34d399', '#f87171', '#a78bfa', '#22d3ee', '#f472b6', '#a3e635', '#fb923c', '#818cf8'];
const HEIGHT = 360;
const AXIS = { stroke: '#9ca3af', grid: { stroke: '#262b36', width: 1 }, ticks: { stroke: '#262b36', width: 1 } };

/**
 * Lines up every series on one time column; a series without a point at a
 * time gets a gap. `start` and `end` are added as empty rows so the x axis
 * spans the whole queried range while zoom (drag) and reset (double-click)
 * keep working, which a fixed scale range would prevent.
 */
export function alignSeries(data: MatrixResult, start: number, end: number): uPlot.AlignedData {
  const times = new Set<number>([start, end]);
  for (const s of data.result) for (const [t] of s.values) times.add(t);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = data.result.map((s) => {
    const col: Array<number | null> = new Array(xs.length).fill(null);
    for (const [t, v] of s.values) {
      const n = Number(v);
      // uPlot cannot place ±Inf or NaN; leave a gap as Prometheus's UI does.
      col[index.get(t)!] = Number.isFinite(n) ? n : null;
    }
    return col;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}

/**
 * Draws a range-query result with uPlot: one line per series on the time
 * range [start, end] (Unix seconds), a legend with each label set that shows
 * the values under the cursor, click a legend entry to hide its series.
 */
export function Chart({ data, start, end }: { data: MatrixResult; start: number; end: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = el.current;
    if (!host || data.result.length === 0) return;
    const width = () => Math.max(320, host.clientWidth - 16);
    const aligned = alignSeries(data, start, end);
    const opts: uPlot.Options = {
      width: width(),
      height: HEIGHT,
      series: [
        { value: (_u, v) => (v == null ? '–' : new Date(v * 1000).toLocaleString()) },
        ...data.result.map((s, i) => ({
          label: formatMetric(s.metric),
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: false,
          // Dots only where a line cannot show anything: series with one or two points.
          points: { show: (aligned[i + 1] as Array<number | null>).filter((v) => v !== null).length < 3, size: 5 },
          value: (_u: uPlot, v: number | null) => formatValue(v),
        })),
      ],
      axes: [{ ...AXIS, space: 70 }, { ...AXIS, size: 64, values: (_u, splits) => splits.map(formatValue) }],
      scales: { x: { time: true } },
      legend: { live: true },
      cursor: { drag: { x: true, y: false }, focus: { prox: 16 } },
      focus: { alpha: 0.35 },
      hooks: {
        // The visible time span, for tests and tools that cannot read the canvas.
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            host.dataset.xMin = String(u.scales.x!.min);
            host.dataset.xMax = String(u.scales.x!.max);
          },
        ],
      },
    };
    const plot = new uPlot(opts, aligned, host);
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    observer.observe(host);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [data, start, end]);
  if (data.result.length === 0) return <p class="empty">No data points in this range.</p>;
  return <div class="chart" ref={el} data-series={data.result.length} />;
}
