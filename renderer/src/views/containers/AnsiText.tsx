import Anser from 'anser';
import { memo } from 'react';

// Renders ANSI colours as inline styles (anser parses; nothing is injected as HTML). A search hit is marked.
export const AnsiText = memo(function AnsiText({ text, highlight }: { text: string; highlight?: string }) {
  const parts = Anser.ansiToJson(text, { remove_empty: true, use_classes: false });
  const q = highlight?.trim().toLowerCase();
  return (
    <>
      {parts.map((p, i) => {
        const style = {
          ...(p.fg ? { color: `rgb(${p.fg})` } : {}),
          ...(p.bg ? { backgroundColor: `rgb(${p.bg})` } : {}),
          ...(p.decorations.includes('bold') ? { fontWeight: 700 } : {}),
          ...(p.decorations.includes('italic') ? { fontStyle: 'italic' } : {}),
          ...(p.decorations.includes('underline') ? { textDecoration: 'underline' } : {}),
        };
        return <span key={i} style={style}>{q ? <Highlight text={p.content} q={q} /> : p.content}</span>;
      })}
    </>
  );
});

function Highlight({ text, q }: { text: string; q: string }) {
  const out: (string | React.ReactElement)[] = [];
  const lower = text.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    out.push(text.slice(at, i), <mark key={i}>{text.slice(i, i + q.length)}</mark>);
    at = i + q.length;
  }
  out.push(text.slice(at));
  return <>{out}</>;
}
