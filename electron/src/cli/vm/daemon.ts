import { mkdirSync, readFileSync } from 'node:fs';
import type net from 'node:net';
import { berthPaths } from '../../host/paths.js';
import { VmStartError, type VmError } from '../../host/vm/backend.js';
import { loadVmSettings } from '../../host/vm/vm-settings.js';
import { VmService } from '../../host/vm/vm-service.js';
import { controlSocket, serveControl, type ControlMessage, type Reply } from './control.js';

/** `docker.useContext` and `docker.linkSystemSocket` in settings.json (both off by default). */
function readUiSettings(file: string): { useContext: boolean; linkSystemSocket: boolean } {
  try {
    const docker = (JSON.parse(readFileSync(file, 'utf8')) as { docker?: Record<string, unknown> }).docker ?? {};
    return { useContext: docker.useContext === true, linkSystemSocket: docker.linkSystemSocket === true };
  } catch {
    return { useContext: false, linkSystemSocket: false };
  }
}

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

/**
 * `berth daemon` (started in the background by `berth start`): owns the VM, the host API socket, port forwards
 * and the docker context, and answers the CLI on the control socket. Stays up while the VM runs.
 */
export async function main(_argv: string[]): Promise<void> {
  const paths = berthPaths();
  mkdirSync(paths.run, { recursive: true, mode: 0o700 });
  const boot = readUiSettings(paths.settings);
  const service = new VmService(paths, {
    makeContextCurrent: boot.useContext || process.env.BERTH_USE_CONTEXT === '1',
    linkSystemSocket: boot.linkSystemSocket,
  });
  const watchers = new Set<Reply>();
  const broadcast = (msg: ControlMessage) => watchers.forEach((w) => w(msg));
  service.on('progress', (p) => {
    log(`stage ${p.stage} ${p.phase} at ${p.elapsedMs} ms`);
    broadcast({ type: 'progress', ...p });
  });
  service.on('state', (s) => log(`state ${s}`));
  service.on('log', log);
  service.on('failed', (e) => log(`VM failed (${e.code}): ${e.message}${e.consoleTail ? `\n--- console tail ---\n${e.consoleTail}` : ''}`));

  let busy: Promise<void> = Promise.resolve();
  const control: { server?: net.Server } = {};
  const shutdown = async (stopVm: boolean) => {
    await service.close({ stopVm }).catch((e: Error) => log(`close: ${e.message}`));
    control.server?.close();
    log('host process exiting');
    process.exit(0);
  };

  const start = (reply: Reply, end: () => void) => {
    watchers.add(reply);
    busy = busy.then(async () => {
      try {
        if (service.status().state !== 'running') await service.start(loadVmSettings(paths.settings));
        reply({ type: 'done', ok: true, status: service.status() });
      } catch (err) {
        const error: VmError = err instanceof VmStartError ? err.detail : { code: 'failed', message: (err as Error).message };
        reply({ type: 'done', ok: false, error });
      } finally {
        watchers.delete(reply);
        end();
      }
    });
  };

  control.server = await serveControl(controlSocket(paths), (req, reply, end) => {
    switch (req.op) {
      case 'status':
        reply({
          type: 'status',
          status: service.status(),
          hostPid: process.pid,
          restartReasons: service.backend.restartReasons(loadVmSettings(paths.settings)),
        });
        return end();
      case 'start':
        return start(reply, end);
      case 'restart':
        busy = busy.then(() => service.stop());
        return start(reply, end);
      case 'stop':
        busy = busy.then(async () => {
          await service.stop();
          reply({ type: 'done', ok: true });
          end();
          await shutdown(false);
        });
        return;
      default:
        reply({ type: 'error', message: 'unknown op' });
        end();
    }
  });
  log(`host process ${process.pid} listening on ${controlSocket(paths)}`);
  // SIGTERM/SIGINT to the host process leaves the VM running (re-attached by the next start).
  process.on('SIGTERM', () => void shutdown(false));
  process.on('SIGINT', () => void shutdown(false));
}
