import { berthPaths } from '../host/paths.js';
import { QemuBackend } from '../host/vm/qemu/qemu-backend.js';
import { isAlive, sleep } from '../host/vm/util.js';
import { vmFiles } from '../host/vm/vm-files.js';
import { ControlClient, controlSocket } from './vm/control.js';
import { EXIT } from './vm/exit-codes.js';
import { daemonStatus, orphanVm } from './vm/host-process.js';

/** `berth stop`: clean VM shutdown (then forced after the deadline); the host process exits too. */
export async function main(_argv: string[]): Promise<void> {
  const paths = berthPaths();
  const t0 = Date.now();
  const daemon = await daemonStatus(paths);
  if (daemon) {
    await ControlClient.request(controlSocket(paths), { op: 'stop' });
    // "Leaves no process behind": wait for the host process itself to be gone.
    const hostPid = Number(daemon.hostPid);
    for (let i = 0; i < 100 && hostPid && isAlive(hostPid); i++) await sleep(50);
  } else if (orphanVm(paths)) {
    // The host process is gone but the VM still runs: attach and stop it from here.
    const backend = new QemuBackend({ files: vmFiles(paths) });
    if (await backend.attach().catch(() => false)) await backend.stop();
  } else {
    process.stdout.write('Berth is not running.\n');
    process.exitCode = EXIT.ok;
    return;
  }
  process.stdout.write(`Berth stopped (${((Date.now() - t0) / 1000).toFixed(1)} s).\n`);
}
