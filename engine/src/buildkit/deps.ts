/** What the BuildKit services need from the rest of the engine, and the state they share. */
import type { BuildService } from '../build/service.js';
import type { ImageService } from '../images/service.js';
import type { SessionRegistry } from './sessions.js';
import type { SolveRegistry } from './solves.js';

export interface BuildKitDeps {
  builds: BuildService;
  images: ImageService;
  sessions: SessionRegistry;
  solves: SolveRegistry;
  workerId: string;
  hostname: string;
  hostGatewayIp: () => string;
}
