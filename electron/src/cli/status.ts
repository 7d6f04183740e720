import { parseArgs } from 'node:util';
import { berthPaths } from '../host/paths.js';
import type { VmStatus } from '../host/vm/backend.js';
import { EXIT } from './vm/exit-codes.js';
import { daemonStatus, orphanVm } from './vm/host-process.js';

/** `berth status [--json]`: exit 0 when running, 8 otherwise. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
  const paths = berthPaths();
  const msg = await daemonStatus(paths);
  const orphan = msg ? undefined : orphanVm(paths);
  const status: VmStatus & { socket: string; hostPid?: number; note?: string; restartReasons?: string[] } = msg
    ? { ...(msg.status as VmStatus & { socket: string }), hostPid: msg.hostPid as number, restartReasons: (msg.restartReasons as string[] | undefined) ?? [] }
    : orphan
      ? { state: 'running', pid: orphan.pid, sshPort: orphan.sshPort, socket: paths.dockerSocket, note: 'the VM runs without a host process: `berth start` re-attaches' }
      : { state: 'stopped', socket: paths.dockerSocket };
  if (values.json) {
    process.stdout.write(JSON.stringify(status, null, 2) + '\n');
  } else {
    const lines = [`state:   ${status.state}`];
    if (status.pid) lines.push(`vm:      qemu pid ${status.pid}, ${status.accel ?? 'unknown'} acceleration, ssh 127.0.0.1:${status.sshPort}`);
    if (status.settings) lines.push(`size:    ${status.settings.cpus} CPUs, ${status.settings.memoryMiB} MiB, disk ≤ ${status.settings.diskGiB} GiB`);
    if (status.startedAt) lines.push(`since:   ${status.startedAt}`);
    lines.push(`socket:  ${status.socket}`);
    if (status.error) lines.push(`error:   ${status.error.code}: ${status.error.message}`);
    if (status.note) lines.push(`note:    ${status.note}`);
    if (status.restartReasons?.length) lines.push(`restart needed (berth restart): ${status.restartReasons.join('; ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  process.exitCode = status.state === 'running' ? EXIT.ok : EXIT['not-running'];
}
