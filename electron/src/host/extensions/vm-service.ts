// `ddClient.extension.vm.service.*`: HTTP to the extension's own backend socket in /run/guest-services, a
// per-extension folder (on the host natively, in the VM otherwise: guest-services.ts) so no extension can reach
// another's. JSON in and out; a non-2xx answer rejects with the status and the body, as Docker Desktop's ServiceError.
import { request } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { GuestServices } from './guest-services.js';
import { ExtensionError } from './manager.js';
import type { InstalledExtension } from './store.js';

export class ServiceError extends Error {
  constructor(message: string, readonly statusCode: number) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface ServiceRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  data?: unknown;
}

/** The socket the UI talks to: the tab's `backend.socket`, else the backend's `vm.exposes.socket`. */
export function serviceSocket(ext: InstalledExtension, guest: GuestServices): string {
  const name = ext.metadata.ui?.['dashboard-tab']?.backend?.socket ?? ext.metadata.vm?.exposes?.socket;
  if (!name) throw new ExtensionError(`extension ${ext.id} exposes no backend socket (vm.exposes.socket)`, 'not_found');
  const join = guest.where === 'vm' ? path.posix.join : path.join;
  return join(guest.dir(ext.dir), path.posix.basename(name));
}

export async function serviceRequest(guest: GuestServices, socketPath: string, req: ServiceRequest): Promise<unknown> {
  if (!req.url.startsWith('/')) throw new ExtensionError(`the backend URL must start with /: ${JSON.stringify(req.url)}`);
  let conn: Duplex;
  try {
    conn = await guest.connect(socketPath);
  } catch (e) {
    throw new ExtensionError(`the extension's backend does not answer on ${path.posix.basename(socketPath)}: ${(e as Error).message}`, 'not_found');
  }
  const method = req.method.toUpperCase();
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  let body: string | undefined;
  if (req.data !== undefined && req.data !== null) {
    if (typeof req.data === 'string') body = req.data;
    else {
      body = JSON.stringify(req.data);
      headers['Content-Type'] ??= 'application/json';
    }
  }
  return new Promise((resolve, reject) => {
    const r = request({ createConnection: () => conn as Socket, method, path: req.url, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) { reject(new ServiceError(text || `HTTP ${status}`, status)); return; }
        try {
          resolve(text === '' ? '' : JSON.parse(text));
        } catch {
          resolve(text);
        }
      });
    });
    r.on('error', (e) => {
      conn.destroy();
      reject(new ExtensionError(`the extension's backend does not answer on ${path.posix.basename(socketPath)}: ${e.message}`, 'not_found'));
    });
    r.end(body);
  });
}
