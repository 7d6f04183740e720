// Where an extension's backend puts its sockets (`/run/guest-services` in its containers) and how the host reaches
// them. Each extension gets its own folder, so no extension can dial another's backend. Natively the folder is on
// the host, beside the extension's files; when the engine runs in the Berth VM it is a folder of the VM (on its
// data disk, so it is there again when the backend restarts with the VM) and the host dials the socket through
// the VM's SSH (a direct-streamlocal channel: no port, no relay container, nothing listening on the host).
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { BerthPaths } from '../paths.js';
import type { VmChannels } from '../vm/vm-ssh.js';
import { VmSshLink } from '../vm/vm-ssh.js';

export interface GuestServices {
  /** `host`: the engine runs on this machine; `vm`: in the Berth VM. */
  readonly where: 'host' | 'vm';
  /** The folder bound at /run/guest-services for the extension in `extDir`, as a path the engine sees. */
  dir(extDir: string): string;
  /** A connection to a socket in that folder. */
  connect(socketPath: string): Promise<Duplex>;
  /** Removes the folder once the backend is gone (natively it goes with the extension's own folder). */
  remove(extDir: string): Promise<void>;
  close(): void;
}

export function hostGuestServices(extensionsRoot: string): GuestServices {
  return {
    where: 'host',
    dir: (extDir) => path.join(extensionsRoot, extDir, 'guest-services'),
    connect: (socketPath) => new Promise((resolve, reject) => {
      const s = net.connect(socketPath);
      s.once('connect', () => { s.off('error', reject); resolve(s); });
      s.once('error', reject);
    }),
    remove: async () => undefined,
    close: () => undefined,
  };
}

/** The extensions' folders in the VM: on the data disk (mounted at /mnt/data), outside berthd's data root. */
export const VM_EXTENSIONS_DIR = '/mnt/data/extensions';

export function vmGuestServices(vm: VmChannels & { close?(): void }): GuestServices {
  const extRoot = (extDir: string) => path.posix.join(VM_EXTENSIONS_DIR, path.posix.basename(extDir));
  return {
    where: 'vm',
    dir: (extDir) => path.posix.join(extRoot(extDir), 'guest-services'),
    connect: (socketPath) => vm.streamLocal(socketPath),
    async remove(extDir) {
      const res = await vm.exec(['rm', '-rf', '--', extRoot(extDir)], { timeoutMs: 30_000 });
      if (res.code !== 0) throw new Error(`cannot remove ${extRoot(extDir)} in the VM: ${res.stderr.trim() || `exit ${res.code}`}`);
    },
    close: () => vm.close?.(),
  };
}

/** The engine's address names the Berth VM's host socket (`~/.berth/run/docker.sock`, served by the SSH tunnel). */
export function isBerthVmEngine(engine: string, paths: BerthPaths): boolean {
  const socket = engine.startsWith('unix://') ? engine.slice('unix://'.length) : engine.startsWith('npipe://') ? engine.slice('npipe://'.length).replace(/\//g, '\\') : engine;
  return path.resolve(socket) === path.resolve(paths.dockerSocket) || socket === paths.dockerSocket;
}

/** Guest services for an engine: in the VM over its SSH when the engine is the Berth VM's, else on the host. */
export function guestServicesFor(engine: string, paths: BerthPaths, extensionsRoot: string): GuestServices {
  return isBerthVmEngine(engine, paths) ? vmGuestServices(new VmSshLink(paths)) : hostGuestServices(extensionsRoot);
}
