import type { Duplex } from 'node:stream';

export const ENGINE_SOCKET_IN_VM = '/run/berth/berthd.sock';

/** One `GET /_ping` over an already-open stream to berthd; resolves true on HTTP 200 "OK". */
export function pingOver(stream: Duplex, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    let data = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      stream.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    stream.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (/^HTTP\/1\.[01] 200 /.test(data) && data.includes('\r\n\r\n')) done(true);
      else if (/^HTTP\/1\.[01] [^2]/.test(data)) done(false);
    });
    stream.on('error', () => done(false));
    stream.on('close', () => done(/^HTTP\/1\.[01] 200 /.test(data)));
    stream.write('GET /_ping HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n');
  });
}
