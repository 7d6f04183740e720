import { readFile, writeFile, rename } from 'node:fs/promises';
import type { HostSettings } from '../../../shared/types.js';
import { restartReasons, type VmSettings } from '../../vm/backend.js';
import { hostLimits, readStoredSettings, saveStoredSettings, SettingsInvalid } from '../settings-store.js';
import { checkDaemonJson } from './daemon-json.js';
import type { RequestHandlers, UiHostOptions } from './types.js';

type Requests = Pick<RequestHandlers, 'settings.get' | 'settings.checkDaemonJson' | 'settings.saveDaemonJson' | 'settings.save' | 'settings.theme'>;

export function settingsHandlers(opts: UiHostOptions): Requests {
  const controls = opts.controls ?? {};
  // Without a VM controller, the settings as this host found them stand for "what the VM runs with".
  let baseline: Promise<VmSettings> | undefined;
  const running = async (): Promise<VmSettings> =>
    (await controls.runningVmSettings?.()) ?? (await (baseline ??= readStoredSettings(opts.settingsPath!).then((s) => s.vm)));

  // The engine's daemon.json: the one this host was told of, else the VM's (given to berthd at the VM's next start).
  const daemonJsonPath = opts.daemonJsonPath ?? controls.vmDaemonJson?.path;
  const reserved = opts.daemonJsonPath ? {} : (controls.vmDaemonJson?.reserved ?? {});

  async function get(): Promise<HostSettings> {
    const daemonJson = daemonJsonPath ? await readFile(daemonJsonPath, 'utf8').catch(() => '{}\n') : undefined;
    const out: HostSettings = { endpoint: opts.engine, ...(daemonJsonPath ? { daemonJsonPath, daemonJson } : {}) };
    if (opts.settingsPath) {
      const [s, vm] = await Promise.all([readStoredSettings(opts.settingsPath), running()]);
      out.berth = {
        path: opts.settingsPath,
        cpus: s.vm.cpus, memoryMiB: s.vm.memoryMiB, diskGiB: s.vm.diskGiB, sharedFolders: s.vm.shares,
        registryMirrors: s.registryMirrors, insecureRegistries: s.insecureRegistries, startAtLogin: s.startAtLogin, keepEngineOnQuit: s.keepEngineOnQuit,
        limits: hostLimits(vm),
        restartReasons: restartReasons(vm, s.vm),
        canRestart: !!controls.restartEngine,
      };
    }
    return out;
  }

  return {
    'settings.get': get,
    async 'settings.checkDaemonJson'({ text }) {
      return checkDaemonJson(text, reserved);
    },
    async 'settings.saveDaemonJson'({ text }) {
      if (!daemonJsonPath) {
        throw { code: 'not_implemented', message: 'This dashboard was not told where the engine keeps its daemon.json.', hint: 'Start it with --daemon-json PATH.' };
      }
      const check = checkDaemonJson(text, reserved);
      if (!check.ok) throw { code: 'invalid', message: check.errors.join('; ') };
      const tmp = `${daemonJsonPath}.tmp-${process.pid}`;
      await writeFile(tmp, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o644 });
      await rename(tmp, daemonJsonPath);
      return { restartNeeded: true };
    },
    async 'settings.save'(change) {
      if (!opts.settingsPath) {
        throw { code: 'not_implemented', message: 'This dashboard keeps no Berth settings.', hint: 'Start it with --settings PATH (berth dashboard uses ~/.berth/settings.json by default).' };
      }
      await running(); // pin the baseline before the first change lands
      try {
        await saveStoredSettings(opts.settingsPath, change);
      } catch (err) {
        if (err instanceof SettingsInvalid) throw { code: 'invalid', message: err.message };
        throw err;
      }
      if (change.startAtLogin !== undefined) controls.setStartAtLogin?.(change.startAtLogin);
      return get();
    },
    async 'settings.theme'({ theme }) {
      if (theme !== 'light' && theme !== 'dark' && theme !== 'system') throw { code: 'invalid', message: `unknown theme ${String(theme)}` };
      controls.setTheme?.(theme);
    },
  };
}
