import { mkdirSync, readFileSync } from 'node:fs';
import type net from 'node:net';
import { serveCredentialHelper, type HelperService } from '../../host/credentials/helper-service.js';
import { openRegistryCredentials } from '../../host/credentials/open.js';
import { berthPaths } from '../../host/paths.js';
import { controlVm } from '../../host/vm/engine-controller.js';
import { logVmEvents } from '../../host/vm/vm-log.js';
import { VmService } from '../../host/vm/vm-service.js';
import { controlSocket, serveControl } from './control.js';
import { controlHandler } from './control-server.js';

/** `docker.linkSystemSocket` in settings.json (off by default). */
function readUiSettings(file: string): { linkSystemSocket: boolean } {
  try {
    const docker = (JSON.parse(readFileSync(file, 'utf8')) as { docker?: Record<string, unknown> }).docker ?? {};
    return { linkSystemSocket: docker.linkSystemSocket === true };
  } catch {
    return { linkSystemSocket: false };
  }
}

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

/**
 * `berth daemon` (started in the background by `berth start`): owns the VM, the host API socket, port forwards
 * and the docker context, and answers the CLI and the dashboard on the control socket. Stays up while the VM runs.
 */
export async function main(_argv: string[]): Promise<void> {
  const paths = berthPaths();
  mkdirSync(paths.run, { recursive: true, mode: 0o700 });
  const boot = readUiSettings(paths.settings);
  const service = new VmService(paths, {
    // `berth start` makes the context current once per start (host-tools.ts); a reconnect must not undo a
    // `docker context use` the user ran meanwhile.
    makeContextCurrent: process.env.BERTH_USE_CONTEXT === '1',
    linkSystemSocket: boot.linkSystemSocket,
  });
  logVmEvents(service, (line) => process.stdout.write(line));
  const ctl = controlVm(service, paths);

  const control: { server?: net.Server; credentials?: HelperService } = {};
  const shutdown = async (stopVm: boolean) => {
    await service.close({ stopVm }).catch((e: Error) => log(`close: ${e.message}`));
    control.server?.close();
    control.credentials?.close();
    log('host process exiting');
    process.exit(0);
  };

  control.server = await serveControl(controlSocket(paths), controlHandler(ctl, { onStopped: () => void shutdown(false) }));
  log(`host process ${process.pid} listening on ${controlSocket(paths)}`);
  // docker-credential-berth's launcher asks this process for `get` and `list` (no Node start per docker pull); without
  // it the launcher runs the Node helper, so a failure here costs only time.
  const credentials = openRegistryCredentials(paths);
  control.credentials = await serveCredentialHelper(paths, () => credentials).catch((e: Error) => {
    log(`credential helper service not started: ${e.message}`);
    return undefined;
  });
  // SIGTERM/SIGINT to the host process leaves the VM running (re-attached by the next start).
  process.on('SIGTERM', () => void shutdown(false));
  process.on('SIGINT', () => void shutdown(false));
}
