import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_VM_SETTINGS, type VmSettings } from './backend.js';

/** vm-image/out/<arch> of this checkout (src/host/vm and dist/host/vm are both four levels below the repo). */
export function repoImageDir(arch: string = process.arch): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', '..', '..', 'vm-image', 'out', arch === 'arm64' ? 'arm64' : 'amd64');
}

/** The build script of this checkout, when running from the repo (not from a packaged app). */
export function repoImageBuilder(): string | undefined {
  const script = path.resolve(repoImageDir(), '..', '..', 'build.sh');
  return existsSync(script) ? script : undefined;
}

/** The engine's daemon.json beside the settings file (~/.berth/daemon.json); native berthd uses the same one. */
export function vmDaemonJsonFile(settingsFile: string): string {
  return path.join(path.dirname(settingsFile), 'daemon.json');
}

/** The daemon.json text for the VM, or undefined when there is none or it holds nothing (`{}`). */
export function readVmDaemonJson(settingsFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(vmDaemonJsonFile(settingsFile), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return undefined;
  } catch {
    // berthd reports a broken file in its own words when the VM starts
  }
  return text;
}

/**
 * VM settings: defaults, then the `vm` object of ~/.berth/settings.json, then BERTH_VM_IMAGE_DIR. Unknown or
 * ill-typed keys are ignored so a hand-edited file cannot stop the VM from starting.
 */
export function loadVmSettings(settingsFile: string, env: NodeJS.ProcessEnv = process.env): VmSettings {
  let vm: Record<string, unknown> = {};
  try {
    const all = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    if (all.vm && typeof all.vm === 'object') vm = all.vm as Record<string, unknown>;
  } catch {
    // no settings yet
  }
  const daemonJson = readVmDaemonJson(settingsFile);
  const num = (k: string, min: number, fallback: number) => (typeof vm[k] === 'number' && (vm[k] as number) >= min ? (vm[k] as number) : fallback);
  const accel = ['auto', 'kvm', 'hvf', 'whpx', 'tcg'].includes(String(vm.accel)) ? (vm.accel as VmSettings['accel']) : DEFAULT_VM_SETTINGS.accel;
  return {
    cpus: num('cpus', 1, DEFAULT_VM_SETTINGS.cpus),
    memoryMiB: num('memoryMiB', 512, DEFAULT_VM_SETTINGS.memoryMiB),
    diskGiB: num('diskGiB', 8, DEFAULT_VM_SETTINGS.diskGiB),
    accel: (env.BERTH_VM_ACCEL as VmSettings['accel'] | undefined) ?? accel,
    imageDir: env.BERTH_VM_IMAGE_DIR ?? (typeof vm.imageDir === 'string' ? vm.imageDir : repoImageDir()),
    shares: Array.isArray(vm.shares) ? vm.shares.map(String) : [env.HOME ?? os.homedir()],
    engineArgs: Array.isArray(vm.engineArgs) ? vm.engineArgs.map(String) : [...DEFAULT_VM_SETTINGS.engineArgs],
    ...(daemonJson !== undefined ? { daemonJson } : {}),
    // BERTH_VM_BOOT_SNAPSHOT=0 boots every time whatever the settings say (measuring a boot, say).
    bootSnapshot: env.BERTH_VM_BOOT_SNAPSHOT === '0' ? false : typeof vm.bootSnapshot === 'boolean' ? vm.bootSnapshot : true,
  };
}
