// Turns an engine address (`unix:///path`, `tcp://host:port`, `npipe:////./pipe/name`) into a dockerode client.
import Docker from 'dockerode';

export interface EngineEndpoint {
  url: string;
  docker: Docker;
}

export function parseEngineUrl(url: string): Docker.DockerOptions {
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  if (url.startsWith('npipe://')) return { socketPath: url.slice('npipe://'.length).replace(/\//g, '\\') };
  if (url.startsWith('tcp://') || url.startsWith('http://')) {
    const u = new URL(url.replace(/^tcp:/, 'http:'));
    return { protocol: 'http', host: u.hostname, port: Number(u.port || 2375) };
  }
  if (url.startsWith('/')) return { socketPath: url };
  throw new Error(`unsupported engine address ${JSON.stringify(url)}: use unix:///path/to/socket or tcp://host:port`);
}

export function connectEngine(url: string): EngineEndpoint {
  return { url, docker: new Docker(parseEngineUrl(url)) };
}
