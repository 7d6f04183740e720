import path from 'node:path';
import { debianSourceLine, ensureDebianPackages, type DebianSuite, type UnpackedPackage } from './debian-packages.js';

/**
 * The Debian binaries Berth takes from the archive, pinned by upstream version. The client set is what the Linux
 * app bundles and what tests drive berthd with; the peer set is the dockerd the tests compare berthd against.
 */

const DEBIAN = 'http://deb.debian.org/debian';
const DEBIAN_SECURITY = 'http://deb.debian.org/debian-security';

function suite(name: string): DebianSuite {
  return {
    name,
    sources: [
      debianSourceLine(DEBIAN, name),
      debianSourceLine(DEBIAN, `${name}-updates`),
      debianSourceLine(DEBIAN_SECURITY, `${name}-security`),
    ],
  };
}

/** Debian 13's docker CLI with the Compose v2 and buildx plugins: Go binaries that run on Debian 12 too. */
export const DOCKER_CLIENT_SET = {
  suite: suite('trixie'),
  cli: { name: 'docker-cli', upstream: '26.1.5' },
  compose: { name: 'docker-compose', upstream: '2.26.1' },
  buildx: { name: 'docker-buildx', upstream: '0.13.1' },
} as const;

/** Debian 12's dockerd and the containerd it runs (its shim comes with it; runc and tini are system packages). */
export const DOCKERD_PEER_SET = {
  suite: suite('bookworm'),
  dockerd: { name: 'docker.io', upstream: '20.10.24' },
  containerd: { name: 'containerd', upstream: '1.6.20' },
} as const;

export interface DockerClientToolchain {
  /** The docker CLI binary. */
  cli: string;
  /** CLI plugin dirs (each holds `docker-<plugin>`), for `cliPluginsExtraDirs`. */
  composePluginDir: string;
  buildxPluginDir: string;
  versions: { cli: string; compose: string; buildx: string };
  packages: UnpackedPackage[];
}

export interface DockerdPeerToolchain {
  dockerd: string;
  /** Dirs to put first on dockerd's PATH: `containerd`, `containerd-shim-runc-v2`, `docker-proxy` live there. */
  pathDirs: string[];
  versions: { dockerd: string; containerd: string };
  packages: UnpackedPackage[];
}

const PLUGIN_DIR = 'usr/libexec/docker/cli-plugins';

/** The client toolchain in `cacheDir` (`.cache/toolchain` for the repo), fetched first if it is not there yet. */
export function ensureDockerClientToolchain(cacheDir: string, log?: (line: string) => void): DockerClientToolchain {
  const s = DOCKER_CLIENT_SET;
  const [cli, compose, buildx] = ensureDebianPackages(s.suite, [s.cli, s.compose, s.buildx], { cacheDir, ...(log ? { log } : {}) });
  return {
    cli: path.join(cli!.dir, 'usr/bin/docker'),
    composePluginDir: path.join(compose!.dir, PLUGIN_DIR),
    buildxPluginDir: path.join(buildx!.dir, PLUGIN_DIR),
    versions: { cli: cli!.version, compose: compose!.version, buildx: buildx!.version },
    packages: [cli!, compose!, buildx!],
  };
}

/** The peer dockerd in `cacheDir`, fetched first if it is not there yet. */
export function ensureDockerdPeerToolchain(cacheDir: string, log?: (line: string) => void): DockerdPeerToolchain {
  const s = DOCKERD_PEER_SET;
  const [dockerd, containerd] = ensureDebianPackages(s.suite, [s.dockerd, s.containerd], { cacheDir, ...(log ? { log } : {}) });
  return {
    dockerd: path.join(dockerd!.dir, 'usr/sbin/dockerd'),
    pathDirs: [path.join(containerd!.dir, 'usr/bin'), path.join(dockerd!.dir, 'usr/sbin')],
    versions: { dockerd: dockerd!.version, containerd: containerd!.version },
    packages: [dockerd!, containerd!],
  };
}
