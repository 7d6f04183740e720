import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { SystemError, errorMessage } from '../base/errors.js';

/**
 * The modes of the engine's roots, as dockerd keeps them since moby CVE-2021-41091: nobody but root may traverse
 * them, so a host user can neither run a setuid binary out of an image layer or a container's root filesystem nor
 * read a container's environment from its bundle. The data root is 0710 (root's group may traverse, as dockerd's
 * with a remapped root; nobody else); the exec root is 0700, or 0711 when an API socket or the pidfile lives
 * directly in it (the VM's /run/berth/berthd.sock), where the `docker` group must reach the socket: then every
 * directory berthd makes in it is 0700 itself. Modes are set on existing roots too, so an older, wider root is
 * narrowed at the next start.
 */
export const DATA_ROOT_MODE = 0o710;
export const EXEC_ROOT_MODE = 0o700;
export const EXEC_ROOT_MODE_WITH_SOCKET = 0o711;

async function prepareRoot(dir: string, flag: string, mode: number): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode });
    await fs.chmod(dir, mode);
    await fs.access(dir, fsConstants.W_OK | fsConstants.X_OK);
  } catch (err) {
    throw new SystemError(`${flag} ${dir} is not usable: ${errorMessage(err)}; fix its permissions or choose another with ${flag}`);
  }
}

/** Creates the data root and the exec root (or narrows existing ones) with the modes above. */
export async function prepareRoots(o: { dataRoot: string; execRoot: string; publicFiles: string[] }): Promise<void> {
  await prepareRoot(o.dataRoot, '--data-root', DATA_ROOT_MODE);
  const execRoot = path.resolve(o.execRoot);
  const holdsPublicFile = o.publicFiles.some((f) => path.dirname(path.resolve(f)) === execRoot);
  await prepareRoot(o.execRoot, '--exec-root', holdsPublicFile ? EXEC_ROOT_MODE_WITH_SOCKET : EXEC_ROOT_MODE);
}
