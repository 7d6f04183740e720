// The host's settings file (~/.berth/settings.json) as the Settings view sees it. VM sizing and shares live in its
// `vm` object, read by the VM layer's loadVmSettings; registry mirrors and insecure registries become berthd flags
// in `vm.engineArgs` (the VM layer passes those to the engine, and restartReasons notices them); start at login is
// and keep-the-engine-on-quit are top-level keys the Electron shell reads. Unknown keys are kept, so `berth settings set` and this agree.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SettingsChange, SettingsLimits } from '../../shared/settings-rules.js';
import { validateSettings } from '../../shared/settings-rules.js';
import type { VmSettings } from '../vm/backend.js';
import { loadVmSettings } from '../vm/vm-settings.js';

export interface StoredSettings {
  vm: VmSettings;
  registryMirrors: string[];
  insecureRegistries: string[];
  startAtLogin: boolean;
  keepEngineOnQuit: boolean;
}

const FLAGS = { '--registry-mirror': 'registryMirrors', '--insecure-registry': 'insecureRegistries' } as const;
type FlagName = keyof typeof FLAGS;

/** berthd flags → mirrors, insecure registries, and every other flag untouched (both `--f v` and `--f=v`). */
export function splitEngineArgs(args: string[]): { registryMirrors: string[]; insecureRegistries: string[]; rest: string[] } {
  const out = { registryMirrors: [] as string[], insecureRegistries: [] as string[], rest: [] as string[] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const flag = (eq > 0 ? a.slice(0, eq) : a) as FlagName;
    if (flag in FLAGS) {
      const value = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (value !== undefined) out[FLAGS[flag]].push(value);
    } else {
      out.rest.push(a);
    }
  }
  return out;
}

export function joinEngineArgs(rest: string[], mirrors: string[], insecure: string[]): string[] {
  return [...rest, ...mirrors.flatMap((m) => ['--registry-mirror', m]), ...insecure.flatMap((r) => ['--insecure-registry', r])];
}

async function readRaw(file: string): Promise<Record<string, unknown>> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function readStoredSettings(file: string, env: NodeJS.ProcessEnv = process.env): Promise<StoredSettings> {
  const vm = loadVmSettings(file, env);
  const raw = await readRaw(file);
  const { registryMirrors, insecureRegistries } = splitEngineArgs(vm.engineArgs);
  return { vm, registryMirrors, insecureRegistries, startAtLogin: raw.startAtLogin === true, keepEngineOnQuit: raw.keepEngineOnQuit === true };
}

/** Limits from this machine: all its CPUs, its memory less 1 GiB for itself, a disk no smaller than today's. */
export function hostLimits(current: VmSettings): SettingsLimits {
  const totalMiB = Math.floor(os.totalmem() / 2 ** 20);
  return { maxCpus: Math.max(1, os.cpus().length), maxMemoryMiB: Math.max(1024, totalMiB - 1024), minDiskGiB: current.diskGiB, maxDiskGiB: 4096 };
}

export class SettingsInvalid extends Error {
  constructor(readonly fields: Record<string, string>) {
    super(Object.values(fields).join(' '));
  }
}

/** Validates (rules + the folders exist) and writes atomically; answers what is stored afterwards. */
export async function saveStoredSettings(file: string, change: SettingsChange, env: NodeJS.ProcessEnv = process.env): Promise<StoredSettings> {
  const before = await readStoredSettings(file, env);
  const errors: Record<string, string> = { ...validateSettings(change, hostLimits(before.vm)) };
  const missing = change.sharedFolders?.find((f) => !existsSync(f) || !statSync(f).isDirectory());
  if (!errors.sharedFolders && missing) errors.sharedFolders = `"${missing}" is not a folder on this computer`;
  if (Object.keys(errors).length) throw new SettingsInvalid(errors);

  const raw = await readRaw(file);
  const vm = (raw.vm && typeof raw.vm === 'object' ? raw.vm : (raw.vm = {})) as Record<string, unknown>;
  if (change.cpus !== undefined) vm.cpus = change.cpus;
  if (change.memoryMiB !== undefined) vm.memoryMiB = change.memoryMiB;
  if (change.diskGiB !== undefined) vm.diskGiB = change.diskGiB;
  if (change.sharedFolders) vm.shares = change.sharedFolders;
  if (change.registryMirrors || change.insecureRegistries) {
    const { rest } = splitEngineArgs(before.vm.engineArgs);
    vm.engineArgs = joinEngineArgs(rest, change.registryMirrors ?? before.registryMirrors, change.insecureRegistries ?? before.insecureRegistries);
  }
  if (change.startAtLogin !== undefined) raw.startAtLogin = change.startAtLogin;
  if (change.keepEngineOnQuit !== undefined) raw.keepEngineOnQuit = change.keepEngineOnQuit;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return readStoredSettings(file, env);
}
