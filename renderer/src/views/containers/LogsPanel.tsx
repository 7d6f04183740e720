import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { berth } from '../../api/berth.js';
import { AnsiText } from './AnsiText.js';
import { LogBuffer } from './log-buffer.js';

const ROW = 20;
/** How much history the viewer loads first: the list is virtualised, so 100k lines cost no more DOM than 100. */
export const INITIAL_TAIL = 100_000;

export function LogsPanel({ id }: { id: string }) {
  const buffer = useMemo(() => new LogBuffer(), []);
  const [version, setVersion] = useState(0);
  const [ended, setEnded] = useState<string | undefined>();
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [query, setQuery] = useState('');
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    buffer.clear();
    setEnded(undefined);
    const h = berth().stream('containers.logs', { id, timestamps: true, follow: true, tail: INITIAL_TAIL }, {
      onData: (lines) => { buffer.append(lines); setVersion(buffer.version); },
      onEnd: (err) => setEnded(err ? err.message : 'The container stopped; the log ends here.'),
    });
    return () => h.close();
  }, [id, buffer]);

  const lines = useMemo(() => buffer.filter(query), [buffer, query, version]);
  const virtual = useVirtualizer({ count: lines.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 20 });

  useEffect(() => {
    if (follow && lines.length) virtual.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [follow, lines.length, virtual]);

  return (
    <div>
      <div className="row" style={{ marginBottom: 8 }}>
        <input className="input search" type="search" aria-label="Search logs" placeholder="Search logs" value={query} onChange={(e) => setQuery(e.target.value)} />
        <label className="row"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />Follow</label>
        <label className="row"><input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />Timestamps</label>
        <div style={{ flex: 1 }} />
        <span className="muted" data-testid="log-count">{query ? `${lines.length} of ${buffer.length}` : buffer.length} lines</span>
        <button className="btn" onClick={() => { buffer.clear(); setVersion(buffer.version); }}>Clear</button>
      </div>
      <div className="logs" ref={scroller} role="log" aria-label="Container logs" tabIndex={0}
        onWheel={(e) => { if (e.deltaY < 0 && follow) setFollow(false); }}>
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((v) => {
            const l = lines[v.index]!;
            return (
              <div key={v.key} className={`line ${l.stream}`} style={{ top: v.start }} data-testid="log-line">
                {timestamps && l.timestamp && <span className="ts">{l.timestamp.replace('T', ' ').slice(0, 23)}</span>}
                <AnsiText text={l.text} highlight={query} />
              </div>
            );
          })}
        </div>
        {buffer.length === 0 && <div className="muted" style={{ padding: 12 }}>{ended ?? 'Waiting for output…'}</div>}
      </div>
      {ended && buffer.length > 0 && <div className="muted" style={{ marginTop: 6 }}>{ended}</div>}
    </div>
  );
}
