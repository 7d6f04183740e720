import { useEffect, useState } from 'react';
import type { StatsSample } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { formatBytes, percent } from '../../lib/format.js';
import { rates, type Rates } from './stats-series.js';

const KEEP = 60;

function Sparkline({ values, max, label }: { values: number[]; max: number; label: string }) {
  const w = 300, h = 120;
  const top = Math.max(max, 1e-9);
  const pts = values.map((v, i) => `${(i / Math.max(KEEP - 1, 1)) * w},${h - (Math.min(v, top) / top) * (h - 8) - 4}`).join(' ');
  return (
    <svg viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <polyline points={pts} fill="none" stroke="var(--accent)" strokeWidth={2} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

function Chart({ title, value, series, max }: { title: string; value: string; series: number[]; max: number }) {
  return (
    <div className="card chart" style={{ padding: 12 }} role="group" aria-label={title}>
      <div className="label"><strong>{title}</strong><span className="mono" data-testid="chart-value">{value}</span></div>
      <Sparkline values={series} max={max} label={`${title} chart`} />
    </div>
  );
}

export function StatsPanel({ id, running }: { id: string; running: boolean }) {
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!running) return;
    setSamples([]);
    const h = berth().stream('containers.stats', { id }, {
      onData: (s) => setSamples((prev) => [...prev.slice(-(KEEP - 1)), s]),
      onEnd: (err) => { if (err) setError(err.message); },
    });
    return () => h.close();
  }, [id, running]);
  if (!running) return <div className="state-box"><h3>The container is not running</h3><p>Stats appear while it runs.</p></div>;
  if (error && !samples.length) return <div className="state-box error" role="alert"><h3>No stats</h3><p>{error}</p></div>;
  const last = samples[samples.length - 1];
  const r: Rates[] = rates(samples);
  const lastRate = r[r.length - 1];
  const maxOf = (xs: number[]) => Math.max(1, ...xs);
  return (
    <div className="charts" data-samples={samples.length}>
      <Chart title="CPU" value={last ? percent(last.cpuPercent) : '—'} series={samples.map((s) => s.cpuPercent)} max={Math.max(100, ...samples.map((s) => s.cpuPercent))} />
      <Chart title="Memory" value={last ? `${formatBytes(last.memoryBytes)} / ${formatBytes(last.memoryLimitBytes)}` : '—'}
        series={samples.map((s) => s.memoryBytes)} max={last?.memoryLimitBytes || maxOf(samples.map((s) => s.memoryBytes))} />
      <Chart title="Network I/O" value={last ? `↓ ${formatBytes(last.netRxBytes)}  ↑ ${formatBytes(last.netTxBytes)}` : '—'}
        series={r.map((x) => x.netPerSec)} max={maxOf(r.map((x) => x.netPerSec))} />
      <Chart title="Block I/O" value={last ? `R ${formatBytes(last.blockReadBytes)}  W ${formatBytes(last.blockWriteBytes)}` : '—'}
        series={r.map((x) => x.blockPerSec)} max={maxOf(r.map((x) => x.blockPerSec))} />
      {lastRate && <span className="sr-only">{formatBytes(lastRate.netPerSec)}/s network</span>}
    </div>
  );
}
