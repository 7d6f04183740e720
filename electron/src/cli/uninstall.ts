import { rmSync } from 'node:fs';
import { berthPaths } from '../host/paths.js';
import { removeContext } from '../host/context/docker-context.js';
import { unlinkSystemSocket } from '../host/context/docker-sock-link.js';
import { EXIT } from './vm/exit-codes.js';
import { main as stop } from './stop.js';

/** `berth uninstall [--force]`: stops the VM, removes the docker context and everything under ~/.berth. */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  if (!argv.includes('--force')) {
    process.stderr.write(`berth uninstall stops the VM, removes the "berth" docker context and deletes ${paths.home} (all VM data).\nRun again with --force to do it.\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  await stop([]);
  removeContext();
  unlinkSystemSocket(paths.dockerSocket);
  rmSync(paths.home, { recursive: true, force: true });
  process.stdout.write('Berth was uninstalled from this account.\n');
}
