import http from 'node:http';

/** GET /_ping over a unix socket; resolves to the status code (0 when nothing answers). */
export function pingSocket(socketPath: string, timeoutMs = 2_000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}
