import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BerthPaths } from '../../host/paths.js';
import { isAlive, sleep } from '../../host/vm/util.js';
import { vmFiles } from '../../host/vm/vm-files.js';
import { ControlClient, controlSocket, type ControlMessage } from './control.js';

/** electron/bin/berth (dist/cli/vm and src/cli/vm are both three levels below the package). */
function berthBin(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'berth');
}

export async function daemonStatus(paths: BerthPaths): Promise<ControlMessage | undefined> {
  try {
    const [msg] = await ControlClient.request(controlSocket(paths), { op: 'status' });
    return msg;
  } catch {
    return undefined;
  }
}

/** Starts `berth daemon` in the background (logs to ~/.berth/logs/host.log) unless one already answers. */
export async function ensureDaemon(paths: BerthPaths): Promise<void> {
  if (await daemonStatus(paths)) return;
  mkdirSync(paths.logs, { recursive: true });
  const hostLog = vmFiles(paths).hostLog;
  const log = openSync(hostLog, 'a');
  // From the Electron app, execPath is Electron itself: ask it to behave as plain Node.
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  const child = spawn(process.execPath, [berthBin(), 'daemon'], { detached: true, stdio: ['ignore', log, log], env, windowsHide: true });
  closeSync(log);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  for (let i = 0; i < 200; i++) {
    if (await daemonStatus(paths)) return;
    if (exited) break;
    await sleep(50);
  }
  throw new Error(`the Berth host process did not start; see ${hostLog}`);
}

/** A VM left running without a host process (the host process was killed): from its state file. */
export function orphanVm(paths: BerthPaths): { pid: number; sshPort: number } | undefined {
  const file = vmFiles(paths).stateFile;
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; sshPort: number };
    return isAlive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}
