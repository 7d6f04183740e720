/**
 * BuildKit behind berthd's `/grpc` and `/session` upgrades, as dockerd embeds it. On `/grpc` berthd is the gRPC
 * server (grpc-js, fed the hijacked socket through a connection injector): Control and the LLB bridge; anything
 * else answers UNIMPLEMENTED. On `/session` the roles flip and berthd dials the client's services.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from '../base/log.js';
import type { BuildService } from '../build/service.js';
import type { ImageService } from '../images/service.js';
import { BRIDGE_SERVICE, bridgeService } from './bridge.js';
import { CONTROL_SERVICE, controlService } from './control.js';
import type { BuildKitDeps } from './deps.js';
import { SessionRegistry } from './sessions.js';
import { SolveRegistry } from './solves.js';

const MAX_MESSAGE = 16 << 20;

export interface BuildKitOptions {
  builds: BuildService;
  images: ImageService;
  hostGatewayIp: () => string;
  log: Logger;
}

export class BuildKitServer {
  private readonly grpc: Server;
  private readonly injector: ReturnType<Server['createConnectionInjector']>;
  readonly sessions: SessionRegistry;
  readonly solves = new SolveRegistry();
  private readonly log: Logger;

  constructor(o: BuildKitOptions) {
    this.log = o.log;
    this.sessions = new SessionRegistry(o.log);
    const deps: BuildKitDeps = {
      builds: o.builds,
      images: o.images,
      sessions: this.sessions,
      solves: this.solves,
      workerId: randomBytes(12).toString('hex'),
      hostname: os.hostname(),
      hostGatewayIp: o.hostGatewayIp,
    };
    this.grpc = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE, 'grpc.max_send_message_length': MAX_MESSAGE });
    this.grpc.addService(CONTROL_SERVICE, controlService(deps));
    this.grpc.addService(BRIDGE_SERVICE, bridgeService(deps));
    this.injector = this.grpc.createConnectionInjector(ServerCredentials.createInsecure());
  }

  /** After the 101 to `/grpc`: the client speaks HTTP/2 with prior knowledge on the socket. */
  serveGrpc(socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'buildkit grpc connection error'));
    if (head.length) socket.unshift(head);
    this.injector.injectConnection(socket);
  }

  /** After the 101 to `/session`: the client serves its session's methods and berthd is the HTTP/2 client. */
  serveSession(socket: Duplex, head: Buffer, id: string, methods: string[]): void {
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'buildkit session connection error'));
    if (head.length) socket.unshift(head);
    this.sessions.add(id, new Set(methods), socket);
  }

  close(): void {
    this.solves.abortAll();
    this.sessions.closeAll();
    this.injector.destroy();
    this.grpc.forceShutdown();
  }
}
