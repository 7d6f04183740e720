import http from 'node:http';

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One plain HTTP request over a unix socket, as curl --unix-socket would send it. */
export function apiRequest(socketPath: string, method: string, path: string, body?: string): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
