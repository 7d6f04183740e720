// The Extensions view's channels and the ddClient calls the dashboard relays for an extension frame.
import type { ExtensionsHost } from '../../extensions/host.js';
import { ServiceError } from '../../extensions/vm-service.js';
import type { RequestHandlers, StreamHandlers } from './types.js';

type ExtensionRequests = Pick<RequestHandlers, 'extensions.list' | 'extensions.remove' | 'extensions.open' | 'extensions.catalog' | 'extensions.call' | 'extensions.exec' | 'extensions.showContainers'>;
type ExtensionStreams = Pick<StreamHandlers, 'extensions.install' | 'extensions.execStream'>;

const unavailable = () => Promise.reject(Object.assign(new Error('this host does not manage extensions'), { code: 'not_implemented' }));

export function extensionHandlers(ext: ExtensionsHost | undefined): ExtensionRequests {
  if (!ext) {
    return {
      'extensions.list': unavailable, 'extensions.remove': unavailable, 'extensions.open': unavailable,
      'extensions.catalog': unavailable, 'extensions.call': unavailable, 'extensions.exec': unavailable,
      'extensions.showContainers': unavailable,
    };
  }
  return {
    'extensions.list': () => ext.overview(),
    'extensions.remove': ({ id }) => ext.remove(id),
    'extensions.open': ({ id }) => ext.open(id),
    'extensions.catalog': () => ext.catalog(),
    'extensions.call': async ({ ext: id, call }) => {
      try {
        return await ext.call(id, call);
      } catch (e) {
        // A backend's HTTP status travels as the contract error's status (ddClient's ServiceError.statusCode).
        if (e instanceof ServiceError) throw { code: 'invalid', message: e.message, status: e.statusCode };
        throw e;
      }
    },
    'extensions.exec': ({ ext: id, exec }) => ext.exec(id, exec),
    'extensions.showContainers': async ({ show }) => ({ show: (await ext.showContainers(show)) ?? null }),
  };
}

export function extensionStreams(ext: ExtensionsHost | undefined): ExtensionStreams {
  return {
    'extensions.install': async ({ image }, sink) => {
      if (!ext) throw Object.assign(new Error('this host does not manage extensions'), { code: 'not_implemented' });
      let closed = false;
      ext.install(image, (line) => { if (!closed) sink.data(line); }).then(() => sink.end(), (e: unknown) => sink.end(e));
      // Closing the view does not abandon an install half-way: it runs to its end (or its rollback).
      return { close: () => { closed = true; } };
    },
    'extensions.execStream': async ({ ext: id, exec, splitOutputLines }, sink) => {
      if (!ext) throw Object.assign(new Error('this host does not manage extensions'), { code: 'not_implemented' });
      return ext.execStream(id, exec, splitOutputLines ?? false, (c) => sink.data(c), () => sink.end());
    },
  };
}
