// Splits a byte stream of newline-separated JSON (dockerd's progress, stats and events streams) into objects.
import type { Readable } from 'node:stream';

export function onJsonLines(stream: Readable, onObject: (obj: unknown) => void, onBadLine?: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      try {
        onObject(JSON.parse(line));
      } catch {
        onBadLine?.(line);
      }
    }
  });
  stream.on('end', () => {
    const line = buf.trim();
    buf = '';
    if (!line) return;
    try {
      onObject(JSON.parse(line));
    } catch {
      onBadLine?.(line);
    }
  });
}
