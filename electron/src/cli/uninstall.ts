import { rmSync } from 'node:fs';
import { berthPaths, type BerthPaths } from '../host/paths.js';
import { removeContextFiles } from '../host/context/docker-context.js';
import { unlinkSystemSocket } from '../host/context/docker-sock-link.js';
import { openRegistryCredentials } from '../host/credentials/open.js';
import { credentialKey } from '../host/credentials/server-url.js';
import { undoHostTools } from '../host/toolchain/host-tools.js';
import { EXIT } from './vm/exit-codes.js';
import { main as stop } from './stop.js';

/** Erases Berth's keychain items (they live outside ~/.berth); answers the servers whose login is gone. */
async function eraseLogins(paths: BerthPaths): Promise<string[]> {
  const creds = openRegistryCredentials(paths);
  const erased: string[] = [];
  for (const e of creds.list()) {
    try {
      await creds.store.delete(credentialKey(e.serverURL));
      erased.push(e.serverURL);
    } catch (err) {
      process.stderr.write(`berth: could not erase the login for ${e.serverURL} from the OS keychain: ${(err as Error).message}\n`);
    }
  }
  return erased;
}

/**
 * `berth uninstall [--force]`: stops the VM, signs out of the registries Berth kept in the keychain, puts
 * ~/.docker/config.json back as it was (credsStore, current context, plugin dir: see DockerConfigSetup.undo),
 * removes the links it made and everything under ~/.berth. Nothing it did not make is touched.
 */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  if (!argv.includes('--force')) {
    process.stderr.write(`berth uninstall stops the VM, signs out of the registries Berth keeps in the OS keychain, puts ~/.docker/config.json back as it was before Berth, removes the "berth" docker context and deletes ${paths.home} (all VM data).\nRun again with --force to do it.\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  await stop([]);
  const erased = await eraseLogins(paths);
  // The context's files first: a docker config dir Berth made is removed only once empty.
  removeContextFiles();
  try {
    const undone = undoHostTools(paths, erased);
    if (undone.config === 'restored') process.stdout.write('~/.docker/config.json is as it was before Berth.\n');
    if (undone.config === 'reverted') process.stdout.write("~/.docker/config.json: Berth's settings removed, yours kept.\n");
    for (const link of undone.links) process.stdout.write(`Removed ${link}\n`);
    for (const f of undone.failed) process.stderr.write(`berth: could not remove ${f.path} (${f.reason}): remove it as root (sudo rm ${f.path})\n`);
  } catch (err) {
    process.stderr.write(`berth: ~/.docker/config.json left as it is: ${(err as Error).message}\n`);
  }
  unlinkSystemSocket(paths.dockerSocket);
  rmSync(paths.home, { recursive: true, force: true });
  process.stdout.write('Berth was uninstalled from this account.\n');
}
