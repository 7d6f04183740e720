// Debian binaries Berth takes from the archive without installing them (the docker client toolchain the app
// bundles, the dockerd test peer): fetched with a private apt state, unpacked into a cache keyed by version.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export { ensureDebianPackages, cachedPackage, packageDir, debianSourceLine, upstreamMatches, type DebianSuite, type FetchOptions, type PinnedPackage, type UnpackedPackage } from './debian-packages.js';
export { DOCKER_CLIENT_SET, DOCKERD_PEER_SET, ensureDockerClientToolchain, ensureDockerdPeerToolchain, type DockerClientToolchain, type DockerdPeerToolchain } from './sets.js';

/** `<repo>/.cache/toolchain` (this file sits three levels below the repo root, as source or built). */
export const TOOLCHAIN_CACHE_DIR = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'), '.cache', 'toolchain');
