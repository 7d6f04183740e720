// The Berth test rig: a local registry, daemonless test images, a berthd launcher and the docker CLI, for
// integration tests anywhere in the repo (import by relative path: `…/scripts/src/testrig/index.js`).
export { startRegistry, REGISTRY_BINARY, type TestRegistry, type RegistryAuth, type StartRegistryOptions } from './registry.js';
export { startBerthd, berthdIsBuilt, BERTHD_BIN, BERTHD_ENTRY, type RunningBerthd, type StartBerthdOptions } from './berthd.js';
export { docker, dockerBinary, dockerEnv, type DockerResult, type DockerRunOptions } from './docker-cli.js';
export {
  bundledToolchain,
  bundledDockerBinary,
  systemDockerBinary,
  clientBinary,
  dockerClient,
  clientMatrix,
  pluginDirs,
  testDockerConfigDir,
  writePluginConfig,
  type DockerClient,
  type ClientChoice,
  type ClientKind,
} from './toolchain.js';
export { allocateBridge, releaseBridge, createBridge, deleteBridge, type BridgeAllocation } from './subnets.js';
export { startDockerd, findDockerd, dockerdToolchain, type RunningDockerd, type StartDockerdOptions } from './dockerd.js';
export { pingSocket } from './ping.js';
export { freeLoopbackPort, freeLoopbackUdpPort } from './ports.js';
export { buildUdpEcho } from './udp-echo.js';
export { stopByPid, spawnTracked } from './processes.js';
export { sweepEngineFirewall } from './leftovers.js';
export { startKeyring, keyringUnavailable, type TestKeyring } from './keyring.js';
export { startCredentialService, type CredentialService } from './credential-service.js';
export { startDashboardProcess, dashboardPrerequisitesMissing, BERTH_BIN, CHROMIUM, type DashboardProcess } from './dashboard.js';
export { repoRoot, rigCacheDir } from './paths.js';
export { testTmpdir } from './temp-dir.js';

export { testImages, type TestImageSet } from './images/fixture-cache.js';
export { fullConfig, keepMeta, DEFAULT_PATH, type TestCatalog, type TestImageName } from './images/catalog.js';
export { pushImage, pushTestImages, splitRef, type PushOptions, type PushedImage, type PushedTestImages, type RegistryEndpoint } from './images/push.js';
export { fetchManifest, fetchBlob, type FetchedManifest } from './images/registry-fetch.js';
export { writeOciLayout, reachableDigests } from './images/layout.js';
export { writeDockerArchive, type DockerArchiveOptions } from './images/docker-archive.js';
export { ImageBuilder, type ImageSpec, type LayerSpec } from './images/builder.js';
export { buildLayerTar, file, dir, symlink, hardlink, whiteout, opaque, FIXED_MTIME, type LayerEntry } from './images/tar-layer.js';
export { hostileLayers, type HostileLayerName } from './images/hostile.js';
export { busyboxRootfs, busyboxApplets, TEST_USER, HELLO_TXT, BUSYBOX_BINARY } from './images/busybox-rootfs.js';
export { compress, decompress } from './images/compress.js';
export { sha256Digest, digestHex } from './images/digest.js';
export { MediaTypes } from './images/mediatypes.js';
export type * from './images/types.js';
export {
  buildExtensionFixtures, pushExtensionFixtures, pushReactExtension, extensionLabels, HOST_BINARY, ICON_SVG,
  type ExtensionFixtureName, type PushedExtensions,
} from './extensions/fixtures.js';
