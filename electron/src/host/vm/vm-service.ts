import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BerthPaths } from '../paths.js';
import { dockerConfigDir, ensureContext } from '../context/docker-context.js';
import { DockerConfigSetup } from '../toolchain/docker-config-setup.js';
import { linkSystemSocket, SYSTEM_DOCKER_SOCKET } from '../context/docker-sock-link.js';
import { PortEventsWatcher } from '../ports/engine-events.js';
import { PortForwarder, type PortConflict, type PublishedPort } from '../ports/port-forwarder.js';
import { EngineSocketServer } from '../tunnel/engine-socket.js';
import type { StageProgress, VmError, VmSettings, VmState, VmStatus } from './backend.js';
import { ENGINE_SOCKET_IN_VM } from './engine-probe.js';
import { findSftpServer, mountShare, type ShareHandle } from './file-shares.js';
import { QemuBackend } from './qemu/qemu-backend.js';
import { vmFiles, type VmFiles } from './vm-files.js';

/** Where the VM's init writes berthd's output. */
export const ENGINE_LOG_IN_VM = '/var/log/berthd.log';

/** What the controller, the control server and the dashboard need of a VM service (a stand-in in tests). */
export interface ManagedVm {
  status(): VmStatus & { socket: string };
  start(settings: VmSettings): Promise<void>;
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  restartReasons(next: VmSettings): string[];
  engineLogTail(lines: number): Promise<string[]>;
  /** This process lets go: the host socket closes; the VM stops only when asked. */
  close(opts: { stopVm: boolean }): Promise<void>;
  on<K extends keyof VmServiceEvents>(event: K, listener: (...args: VmServiceEvents[K]) => void): unknown;
  off<K extends keyof VmServiceEvents>(event: K, listener: (...args: VmServiceEvents[K]) => void): unknown;
}

export interface VmServiceEvents {
  state: [VmState];
  progress: [StageProgress];
  failed: [VmError];
  portListening: [containerId: string, port: PublishedPort];
  portConflict: [PortConflict];
  log: [string];
}

/**
 * Everything that makes the VM's engine look local: the VM itself, the host API socket, published ports and the
 * `berth` docker context. One instance per host process (the CLI's daemon or the Electron main process).
 */
export class VmService extends EventEmitter<VmServiceEvents> {
  readonly backend: QemuBackend;
  private tunnel: EngineSocketServer | undefined;
  private watcher: PortEventsWatcher | undefined;
  private readonly forwarder: PortForwarder;
  private readonly shares: ShareHandle[] = [];
  private readonly files: VmFiles;

  constructor(
    private readonly paths: BerthPaths,
    private readonly opts: { makeContextCurrent?: boolean; linkSystemSocket?: boolean; env?: NodeJS.ProcessEnv } = {},
  ) {
    super();
    this.files = vmFiles(paths);
    this.backend = new QemuBackend({ files: this.files });
    this.backend.on('state', (s) => this.emit('state', s));
    this.backend.on('progress', (p) => this.emit('progress', p));
    this.backend.on('failed', (e) => {
      this.watcher?.stop();
      this.emit('failed', e);
    });
    // Every published port, TCP and UDP, loopback and wildcard, is a QEMU hostfwd rule (no SSH in the data path).
    this.forwarder = new PortForwarder({
      add: (p) => this.backend.hostForward('add', p),
      remove: (p) => this.backend.hostForward('remove', p),
      list: () => this.backend.hostForwards(),
    });
    this.forwarder.on('listening', (id, p) => {
      this.emit('portListening', id, p);
      this.emit('log', `port ${portText(p)} → container ${id.slice(0, 12)}`);
    });
    this.forwarder.on('conflict', (c) => {
      this.emit('portConflict', c);
      this.emit('log', `port ${portText(c)} of container ${c.containerId.slice(0, 12)} is taken on the host: ${c.message}`);
    });
  }

  status(): VmStatus & { socket: string } {
    return { ...this.backend.status(), socket: this.paths.dockerSocket };
  }

  /** Why these settings would need a restart of the running VM. */
  restartReasons(next: VmSettings): string[] {
    return this.backend.restartReasons(next);
  }

  /** The last lines of berthd's log in the VM (over the VM's SSH). */
  async engineLogTail(lines: number): Promise<string[]> {
    const res = await this.backend.exec(['tail', '-n', String(Math.max(1, Math.min(lines, 5000))), ENGINE_LOG_IN_VM]);
    if (res.code !== 0) throw new Error(`cannot read ${ENGINE_LOG_IN_VM} in the VM: ${res.stderr.trim() || `exit ${res.code}`}`);
    return res.stdout.split('\n').filter(Boolean);
  }

  /** Re-attaches to a VM left running, else boots one; then serves the socket, ports and context. */
  async start(settings: VmSettings): Promise<void> {
    const attached = await this.backend.attach().catch(() => false);
    if (attached) {
      this.emit('log', `re-attached to the running VM (pid ${this.backend.status().pid})`);
      await this.serve();
      await this.mountShares(settings.shares);
      return;
    }
    // Host directories are mounted while berthd is still starting: sshfs needs SSH and the VM's fuse module only.
    let shares: Promise<void> | undefined;
    const onProgress = (p: StageProgress) => {
      if (p.stage !== 'ssh' || p.phase !== 'end' || shares) return;
      shares = this.backend.guestStage('modules-needed').then(() => this.mountShares(settings.shares));
    };
    this.backend.on('progress', onProgress);
    try {
      await this.backend.start(settings);
    } catch (err) {
      await shares?.catch(() => undefined);
      for (const s of this.shares.splice(0)) s.close();
      throw err;
    } finally {
      this.backend.off('progress', onProgress);
    }
    await this.serve();
    const served = Date.now();
    await (shares ?? this.mountShares(settings.shares));
    this.writeStartTimeline(served, Date.now());
  }

  /** The last start's steps, with the host socket served at the end (read by `npm run bench`). */
  private writeStartTimeline(served: number, sharesMounted: number): void {
    const timeline = this.backend.startTimeline();
    if (!timeline) return;
    timeline.host['socket-served'] = served - timeline.startedAt;
    timeline.host['shares-mounted'] = sharesMounted - timeline.startedAt;
    try {
      mkdirSync(path.dirname(this.files.startTimeline), { recursive: true });
      writeFileSync(this.files.startTimeline, `${JSON.stringify(timeline, null, 2)}\n`);
    } catch (err) {
      this.emit('log', `cannot write ${this.files.startTimeline}: ${(err as Error).message}`);
    }
  }

  /** (Re)mounts the shared host directories; a failure is logged, the engine keeps working without it. */
  async mountShares(paths: string[]): Promise<void> {
    for (const s of this.shares.splice(0)) s.close();
    const sftp = findSftpServer();
    if (!sftp) {
      if (paths.length) this.emit('log', 'file sharing off: no OpenSSH sftp-server on this machine');
      return;
    }
    // Side by side: each is one SSH channel and one sshfs in the VM.
    await Promise.all(
      paths.map(async (p) => {
        try {
          this.shares.push(await mountShare(this.backend.ssh(), p, sftp));
          this.emit('log', `shared ${p}`);
        } catch (err) {
          this.emit('log', `cannot share ${p}: ${(err as Error).message}`);
        }
      }),
    );
  }

  private async serve(): Promise<void> {
    if (!this.tunnel) {
      this.tunnel = new EngineSocketServer({
        socketPath: this.paths.dockerSocket,
        openChannel: () => this.backend.ssh().streamLocal(ENGINE_SOCKET_IN_VM),
      });
      await this.tunnel.listen();
    } else {
      this.tunnel.reset();
    }
    ensureContext(this.paths.dockerSocket, this.opts.env);
    if (this.opts.makeContextCurrent) {
      try {
        new DockerConfigSetup(this.paths, dockerConfigDir(this.opts.env)).setContextInUse(true);
      } catch (err) {
        this.emit('log', `cannot make the berth context current: ${(err as Error).message}`);
      }
    }
    if (this.opts.linkSystemSocket) {
      const r = linkSystemSocket(this.paths.dockerSocket);
      if (r === 'taken-by-other') this.emit('log', `${SYSTEM_DOCKER_SOCKET} belongs to another product: left alone`);
      if (r === 'failed') this.emit('log', `cannot link ${SYSTEM_DOCKER_SOCKET} (needs administrator rights)`);
    }
    this.watcher?.stop();
    this.watcher = new PortEventsWatcher(this.paths.dockerSocket, this.forwarder, (m) => this.emit('log', m));
    this.watcher.start();
  }

  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    for (const s of this.shares.splice(0)) s.close();
    this.watcher?.stop();
    this.watcher = undefined;
    await this.backend.stop(opts);
  }

  async restart(settings: VmSettings): Promise<void> {
    await this.stop();
    await this.start(settings);
  }

  /** Host process exiting: the socket goes away, the VM keeps running for the next attach. */
  async close(opts: { stopVm: boolean }): Promise<void> {
    for (const s of this.shares.splice(0)) s.close();
    this.watcher?.stop();
    if (opts.stopVm) await this.backend.stop();
    else this.backend.detach();
    await this.tunnel?.close();
    this.tunnel = undefined;
  }
}

/** `127.0.0.1:8080` for TCP (what users read most), `127.0.0.1:5353/udp` otherwise. */
function portText(p: PublishedPort): string {
  return `${p.hostIp}:${p.hostPort}${p.proto === 'tcp' ? '' : `/${p.proto}`}`;
}
