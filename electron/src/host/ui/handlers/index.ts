import type Docker from 'dockerode';
import type { RequestChannel, StreamChannel } from '../../../shared/contract.js';
import { containerStreams } from './container-streams.js';
import { containerHandlers } from './containers.js';
import { extensionHandlers, extensionStreams } from './extensions.js';
import type { ExtensionsHost } from '../../extensions/host.js';
import { fileHandlers } from './files.js';
import { hostFileHandlers } from './host-files.js';
import { imageHandlers, imageStreams } from './images.js';
import { registryHandlers } from './registries.js';
import { settingsHandlers } from './settings.js';
import { systemHandlers } from './system.js';
import { troubleshootHandlers } from './troubleshoot.js';
import { vmUsageStreams } from './vm-usage.js';
import type { RequestHandlers, StreamHandlers, UiHostOptions } from './types.js';
import { volumeNetworkHandlers } from './volumes-networks.js';

export type { RequestHandlers, StreamHandlers, UiHostOptions, EngineControls, StreamSink, StreamControl } from './types.js';

/** `engine.status` is answered by the watcher, which knows the state without asking the engine again. */
export function createHandlers(docker: Docker, opts: UiHostOptions, extensions?: ExtensionsHost): { requests: Omit<RequestHandlers, 'engine.status'>; streams: StreamHandlers } {
  return {
    requests: {
      ...systemHandlers(docker, opts.controls),
      ...imageHandlers(docker),
      ...containerHandlers(docker),
      ...fileHandlers(docker),
      ...volumeNetworkHandlers(docker),
      ...settingsHandlers(opts),
      ...registryHandlers(docker, opts.registries),
      ...troubleshootHandlers(docker, opts),
      ...extensionHandlers(extensions),
      ...hostFileHandlers(),
    },
    streams: { ...imageStreams(docker, opts.registries?.credentials), ...containerStreams(docker), ...vmUsageStreams(opts.controls ?? {}), ...extensionStreams(extensions) },
  };
}

/** The engine endpoint behind each channel, named in "this engine does not support X yet" errors. */
export const ENGINE_CALLS: Partial<Record<RequestChannel | StreamChannel, string>> = {
  'engine.info': 'GET /info',
  'images.list': 'listing images (GET /images/json)',
  'images.inspect': 'image inspect (GET /images/{name}/json)',
  'images.remove': 'removing images (DELETE /images/{name})',
  'images.tag': 'tagging images (POST /images/{name}/tag)',
  'images.prune': 'pruning images (POST /images/prune)',
  'images.pull': 'pulling images (POST /images/create)',
  'images.push': 'pushing images (POST /images/{name}/push)',
  'containers.list': 'listing containers (GET /containers/json)',
  'containers.rows': 'listing containers (GET /containers/json)',
  'containers.inspect': 'container inspect (GET /containers/{id}/json)',
  'containers.action': 'container start/stop/restart/pause (POST /containers/{id}/…)',
  'containers.remove': 'removing containers (DELETE /containers/{id})',
  'containers.run': 'creating containers (POST /containers/create)',
  'containers.files': 'container files (GET /containers/{id}/archive)',
  'containers.readFile': 'container files (GET /containers/{id}/archive)',
  'containers.logs': 'container logs (GET /containers/{id}/logs)',
  'containers.stats': 'container stats (GET /containers/{id}/stats)',
  'containers.exec': 'exec (POST /containers/{id}/exec)',
  'volumes.list': 'volumes (GET /volumes)',
  'volumes.create': 'creating volumes (POST /volumes/create)',
  'volumes.remove': 'removing volumes (DELETE /volumes/{name})',
  'volumes.prune': 'pruning volumes (POST /volumes/prune)',
  'volumes.files': 'volume files (a helper container read with GET /containers/{id}/archive)',
  'volumes.readFile': 'volume files (a helper container read with GET /containers/{id}/archive)',
  'volumes.usage': 'volume sizes (GET /system/df)',
  'networks.list': 'networks (GET /networks)',
  'networks.inspect': 'network inspect (GET /networks/{id})',
  'networks.create': 'creating networks (POST /networks/create)',
  'networks.remove': 'removing networks (DELETE /networks/{id})',
  'registries.signIn': 'registry sign-in (POST /auth)',
};
