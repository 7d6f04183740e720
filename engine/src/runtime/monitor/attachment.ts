import { createConnection, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { FROM_MONITOR, FrameDecoder, TO_MONITOR, frame, resizeFrame } from './attach-protocol.js';

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/**
 * One connection to a container's monitor: its output from now on, its stdin, its tty size. Several can be open
 * at once (docker attach, docker run, a waiter); each sees all output. A slow reader slows the container down
 * (the monitor stops reading its pipes), as with dockerd.
 */
export class Attachment {
  /** Output chunks in order, as `{stream, data}` objects; ends when the container has exited. */
  readonly output: Readable;
  /** The exit code, or undefined if the connection ended without one (detach, monitor gone). */
  readonly exit: Promise<number | undefined>;
  private readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    const decoder = new FrameDecoder();
    let resolveExit!: (code: number | undefined) => void;
    this.exit = new Promise((r) => (resolveExit = r));
    this.output = new Readable({
      objectMode: true,
      read: () => {
        socket.resume();
      },
      destroy: (err, cb) => {
        socket.destroy();
        cb(err);
      },
    });
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.type === FROM_MONITOR.exit) resolveExit(f.payload.readInt32BE(0));
        else {
          const stream = f.type === FROM_MONITOR.stderr ? 'stderr' : 'stdout';
          if (!this.output.push({ stream, data: Buffer.from(f.payload) } satisfies OutputChunk)) socket.pause();
        }
      }
    });
    socket.on('close', () => {
      resolveExit(undefined);
      this.output.push(null);
    });
    socket.on('error', () => undefined);
  }

  static connect(socketPath: string): Promise<Attachment> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(socketPath);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new Attachment(socket));
      });
      socket.once('error', reject);
    });
  }

  write(data: Buffer | string): void {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < buf.length; off += 65536) {
      this.socket.write(frame(TO_MONITOR.stdin, buf.subarray(off, off + 65536)));
    }
  }

  /** EOF on the container's stdin (non-TTY): `docker run -i` after the client's stdin ended. */
  closeStdin(): void {
    this.socket.write(frame(TO_MONITOR.closeStdin));
  }

  resize(rows: number, cols: number): void {
    this.socket.write(resizeFrame(rows, cols));
  }

  /** Detach: the container keeps running. */
  close(): void {
    this.socket.end();
  }
}
