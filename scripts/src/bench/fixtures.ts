import { docker, pushImage, startRegistry, testImages, type TestRegistry } from '../testrig/index.js';
import { bigImage, shapedImage, SMALL_FILES_SHAPE } from './big-image.js';
import type { BenchTarget } from './scenario.js';

/**
 * What scenarios share: one local registry for the whole run, started on first use, holding the images scenarios
 * ask for. Nothing comes from the internet; each scenario pulls what it needs into each engine in its setup.
 */
export type BenchImageName = 'busybox' | 'big' | 'small-files';

let registry: Promise<TestRegistry> | undefined;
const pushed = new Map<BenchImageName, Promise<string>>();

function sharedRegistry(): Promise<TestRegistry> {
  registry ??= startRegistry();
  return registry;
}

/** The image's reference in the bench registry (`127.0.0.1:PORT/berth-bench/NAME:latest`), pushed on first use. */
export function benchImage(name: BenchImageName): Promise<string> {
  let ref = pushed.get(name);
  if (!ref) {
    ref = (async () => {
      const reg = await sharedRegistry();
      const { image, blobs } = name === 'busybox' ? await busybox() : name === 'big' ? await bigImage() : await shapedImage(SMALL_FILES_SHAPE);
      const ref = `berth-bench/${name}:latest`;
      await pushImage(reg, image, ref, { blobs });
      return `${reg.host}/${ref}`;
    })();
    pushed.set(name, ref);
  }
  return ref;
}

async function busybox() {
  const { catalog, blobs } = await testImages();
  return { image: catalog.busybox.image, blobs };
}

/** Pulls the bench image into the engine unless it is there already; returns its reference. */
export async function pulledInto(target: BenchTarget, name: BenchImageName): Promise<string> {
  const ref = await benchImage(name);
  const present = await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { host: target.dockerHost });
  if (present.code !== 0) await dockerOk(target, ['pull', '--quiet', ref]);
  return ref;
}

/** Runs the real docker CLI against the target and returns its stdout; throws with stderr on a non-zero exit. */
export async function dockerOk(target: BenchTarget, args: string[], timeoutMs = 300_000): Promise<string> {
  const res = await docker(args, { host: target.dockerHost, timeoutMs });
  if (res.code !== 0) throw new Error(`docker ${args.join(' ')} on ${target.label} exited ${res.code}: ${res.stderr.trim()}`);
  return res.stdout;
}

/** The shared registry's base URL (`http://127.0.0.1:PORT`), for measuring raw downloads from it. */
export async function benchRegistryUrl(): Promise<string> {
  return (await sharedRegistry()).url;
}

/** Stops the shared registry if a scenario started it (the harness calls this once, at the end). */
export async function stopBenchFixtures(): Promise<void> {
  const reg = registry;
  registry = undefined;
  pushed.clear();
  if (reg) await (await reg).stop();
}
