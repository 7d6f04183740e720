// An SSH link into the running Berth VM for a host process that does not own it (the `berth extension` CLI,
// `berth dashboard`): the VM's SSH port comes from `~/.berth/vm/state.json`, read again at each use because a
// restarted VM listens on another port; the client key and the pinned host key are this install's.
import { readFileSync } from 'node:fs';
import type { ClientChannel } from 'ssh2';
import type { BerthPaths } from '../paths.js';
import { ensureSshKeys } from '../ssh/keys.js';
import { SshLink, type ExecOutput } from '../ssh/ssh-link.js';
import { isAlive } from './util.js';
import { vmFiles } from './vm-files.js';

/** What the extension layer needs of the VM: channels to its unix sockets and commands run in it. */
export interface VmChannels {
  streamLocal(socketPath: string): Promise<ClientChannel>;
  exec(argv: string[], opts?: { timeoutMs?: number }): Promise<ExecOutput>;
}

export class VmSshLink implements VmChannels {
  private link: SshLink | undefined;
  private port = 0;

  constructor(private readonly paths: BerthPaths) {}

  private current(): SshLink {
    const files = vmFiles(this.paths);
    let state: { pid?: number; sshPort?: number };
    try {
      state = JSON.parse(readFileSync(files.stateFile, 'utf8')) as typeof state;
    } catch {
      throw new Error('the Berth VM is not running (berth start)');
    }
    if (!state.sshPort || !state.pid || !isAlive(state.pid)) throw new Error('the Berth VM is not running (berth start)');
    if (!this.link || this.port !== state.sshPort) {
      const keys = ensureSshKeys(files.sshDir);
      this.link?.close();
      this.port = state.sshPort;
      this.link = new SshLink({ host: '127.0.0.1', port: state.sshPort, username: 'root', privateKey: keys.clientPrivate, hostKeyBlob: keys.hostKeyBlob });
    }
    return this.link;
  }

  streamLocal(socketPath: string): Promise<ClientChannel> {
    try {
      return this.current().streamLocal(socketPath);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  exec(argv: string[], opts?: { timeoutMs?: number }): Promise<ExecOutput> {
    try {
      return this.current().exec(argv, opts);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  close(): void {
    this.link?.close();
    this.link = undefined;
  }
}
