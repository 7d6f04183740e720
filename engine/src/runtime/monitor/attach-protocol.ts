/**
 * The monitor's attach socket speaks docker's 8-byte stream framing in both directions:
 * `[type, 0, 0, 0, length (u32 big-endian)] payload`. See berth-monitor.c for the types.
 */
export const FROM_MONITOR = { stdout: 1, stderr: 2, exit: 3, signalled: 4, flushed: 5 } as const;
export const TO_MONITOR = { stdin: 0, closeStdin: 1, resize: 2, signal: 3, flush: 4 } as const;

export function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export function resizeFrame(rows: number, cols: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt16BE(Math.max(0, Math.min(rows, 0xffff)), 0);
  p.writeUInt16BE(Math.max(0, Math.min(cols, 0xffff)), 2);
  return frame(TO_MONITOR.resize, p);
}

export interface Frame {
  type: number;
  payload: Buffer;
}

/** Incremental decoder: feed socket chunks, get whole frames back. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      frames.push({ type: this.buf[0] ?? 0, payload: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return frames;
  }
}
