import { parseArgs } from 'node:util';
import { berthPaths } from '../host/paths.js';
import { ensureSshKeys } from '../host/ssh/keys.js';
import { SshLink } from '../host/ssh/ssh-link.js';
import { tailFile } from '../host/vm/util.js';
import { vmFiles } from '../host/vm/vm-files.js';
import { ENGINE_LOG_IN_VM } from '../host/vm/vm-service.js';
import { EXIT } from './vm/exit-codes.js';
import { orphanVm } from './vm/host-process.js';

const USAGE = 'usage: berth logs [host|console|engine] [-n LINES]';

/** `berth logs host|console|engine`: the host process log, the VM's serial console, berthd's log in the VM. */
export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { lines: { type: 'string', short: 'n' } } });
  const which = positionals[0] ?? 'host';
  const lines = Number(values.lines ?? 200);
  const paths = berthPaths();
  const files = vmFiles(paths);
  if (which === 'host' || which === 'console') {
    const file = which === 'host' ? files.hostLog : files.consoleLog;
    const text = tailFile(file, lines, 4 << 20);
    process.stdout.write(text ? `${text}\n` : '');
    return;
  }
  if (which !== 'engine') {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  const vm = orphanVm(paths);
  if (!vm) {
    process.stderr.write('berth logs engine: the VM is not running\n');
    process.exitCode = EXIT['not-running'];
    return;
  }
  const keys = ensureSshKeys(files.sshDir);
  const link = new SshLink({ host: '127.0.0.1', port: vm.sshPort, username: 'root', privateKey: keys.clientPrivate, hostKeyBlob: keys.hostKeyBlob });
  await link.connect(10_000);
  const res = await link.exec(['tail', '-n', String(lines), ENGINE_LOG_IN_VM]);
  link.close();
  process.stdout.write(res.stdout);
  process.exitCode = res.code;
}
