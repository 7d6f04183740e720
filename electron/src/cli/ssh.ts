import { spawnSync } from 'node:child_process';
import { berthPaths } from '../host/paths.js';
import { ensureSshKeys, HOST_KEY_ALIAS } from '../host/ssh/keys.js';
import { vmFiles } from '../host/vm/vm-files.js';
import { EXIT } from './vm/exit-codes.js';
import { orphanVm } from './vm/host-process.js';

/** `berth ssh [command…]`: a shell (or one command) in the VM through the system ssh client, host key pinned. */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  const vm = orphanVm(paths);
  if (!vm) {
    process.stderr.write('berth ssh: the VM is not running (berth start)\n');
    process.exitCode = EXIT['not-running'];
    return;
  }
  const keys = ensureSshKeys(vmFiles(paths).sshDir);
  const res = spawnSync(
    'ssh',
    [
      '-i', keys.clientKeyFile,
      '-o', 'IdentitiesOnly=yes',
      '-o', `UserKnownHostsFile=${keys.knownHostsFile}`,
      '-o', `HostKeyAlias=${HOST_KEY_ALIAS}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'LogLevel=ERROR',
      '-p', String(vm.sshPort),
      ...(argv.length === 0 || process.stdin.isTTY ? ['-t'] : []),
      'root@127.0.0.1',
      ...argv,
    ],
    { stdio: 'inherit' },
  );
  if (res.error) {
    process.stderr.write(`berth ssh: cannot run ssh: ${res.error.message}\n`);
    process.exitCode = EXIT.failed;
    return;
  }
  process.exitCode = res.status ?? EXIT.failed;
}
