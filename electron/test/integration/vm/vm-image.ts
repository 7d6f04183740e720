import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledDockerBinary, pushImage, startRegistry, testImages, type TestRegistry } from '../../../../scripts/src/testrig/index.js';
import { findExecutable } from '../../../src/host/vm/util.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Builds the VM image for this machine, or reuses the cached one (vm-image/cache keyed on inputs). */
export function ensureImage(): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const res = spawnSync(join(repoRoot, 'vm-image', 'build.sh'), ['--arch', arch], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`vm-image build failed:\n${res.stderr}`);
  return join(repoRoot, 'vm-image', 'out', arch);
}

/**
 * The CLI runs from electron/dist, as `npx berth` does. tsc emits even when someone else's file in the workspace
 * has a type error at this moment; what matters here is that the CLI's files are there.
 */
export function buildCli(): void {
  const build = spawnSync('npx', ['tsc', '-b', 'electron'], { cwd: repoRoot, encoding: 'utf8' });
  if (!existsSync(join(repoRoot, 'electron', 'dist', 'cli', 'start.js'))) throw new Error(`electron build failed:\n${build.stdout}${build.stderr}`);
}

/**
 * Why the VM tests of a file cannot run here, or undefined: QEMU for this architecture, the VM image (built or
 * reused by `ensureImage`), and with `dockerClient` the rig's docker client.
 */
export function vmTestsMissing(opts: { dockerClient?: boolean } = {}): string | undefined {
  const qemu = process.arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
  if (!findExecutable(qemu)) return `${qemu} not installed`;
  if (opts.dockerClient) {
    try {
      bundledDockerBinary();
    } catch (err) {
      return `the rig's docker toolchain is not available (${(err as Error).message.split('\n')[0]})`;
    }
  }
  try {
    ensureImage();
  } catch (err) {
    return `no VM image: ${(err as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

/**
 * A registry on the host's loopback holding the rig's busybox, named as the VM reaches it (10.0.2.2 is QEMU's
 * host), and Berth's settings under `berthHome` letting the VM's engine pull from it over plain HTTP. The caller
 * stops the registry.
 */
export async function hostRegistryForVm(berthHome: string): Promise<{ registry: TestRegistry; image: string }> {
  const registry = await startRegistry();
  try {
    const { catalog, blobs } = await testImages();
    await pushImage(registry, catalog.busybox.image, catalog.busybox.ref, { blobs });
    const inVm = registry.host.replace('127.0.0.1', '10.0.2.2');
    mkdirSync(berthHome, { recursive: true });
    writeFileSync(join(berthHome, 'settings.json'), JSON.stringify({ vm: { engineArgs: ['--insecure-registry', inVm] } }));
    return { registry, image: `${inVm}/${catalog.busybox.ref}` };
  } catch (err) {
    await registry.stop();
    throw err;
  }
}
