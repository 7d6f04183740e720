import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepositoryClient } from './client.js';
import { fetchManifest, listTags } from './repository.js';

// A registry peer speaking the distribution token protocol (as Docker Hub does), on loopback over plain HTTP.
const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] });
let server: http.Server;
let host: string;
const tokenRequests: { scope: string[]; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === '/token') {
      tokenRequests.push({ scope: url.searchParams.getAll('scope'), authorization: req.headers.authorization });
      if (req.headers.authorization && req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401).end('{"details":"incorrect username or password"}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: 'tok-123' }));
      return;
    }
    if (req.headers.authorization !== 'Bearer tok-123') {
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${host}/token",service="test-registry",scope="repository:foo/bar:pull"`,
        'Content-Type': 'application/json',
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (url.pathname === '/v2/foo/bar/manifests/latest') {
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
    } else if (url.pathname === '/v2/foo/bar/tags/list') {
      const last = url.searchParams.get('last');
      if (!last) res.writeHead(200, { Link: '</v2/foo/bar/tags/list?n=1&last=a>; rel="next"' }).end('{"tags":["a"]}');
      else res.writeHead(200).end('{"tags":["b"]}');
    } else {
      res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const config = { insecureRegistries: [], registryMirrors: [] };

describe('RepositoryClient token auth', () => {
  it('falls back from HTTPS to HTTP on loopback and answers a Bearer challenge with credentials', async () => {
    const c = new RepositoryClient(host, 'foo/bar', { config, auth: { username: 'u', password: 'p' } });
    const m = await fetchManifest(c, 'latest');
    expect(m.data.toString()).toBe(manifest);
    expect(tokenRequests.at(-1)).toEqual({ scope: ['repository:foo/bar:pull'], authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
    expect(await listTags(c)).toEqual(['a', 'b']);
  });

  it('gets an anonymous token without credentials, and asks push scope for pushes', async () => {
    await fetchManifest(new RepositoryClient(host, 'foo/bar', { config }), 'latest');
    expect(tokenRequests.at(-1)?.authorization).toBeUndefined();
    await fetchManifest(new RepositoryClient(host, 'foo/bar', { config, push: true }), 'latest');
    expect(tokenRequests.at(-1)?.scope).toEqual(['repository:foo/bar:pull,push']);
  });

  it('reports wrong credentials and unknown manifests in dockerd words', async () => {
    await expect(fetchManifest(new RepositoryClient(host, 'foo/bar', { config, auth: { username: 'u', password: 'x' } }), 'latest')).rejects.toThrow(
      /unauthorized: incorrect username or password/,
    );
    await expect(fetchManifest(new RepositoryClient(host, 'foo/bar', { config }), 'nope')).rejects.toThrow('manifest unknown: manifest unknown');
  });
});
