import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { berthPaths, type BerthPaths } from '../host/paths.js';
import type { VmError } from '../host/vm/backend.js';
import { STAGE_TEXT } from '../host/vm/stage-text.js';
import { useContextSetting } from '../host/toolchain/context-setting.js';
import { formatHostToolsReport, setUpHostTools, type HostToolsReport } from '../host/toolchain/host-tools.js';
import { loadVmSettings, repoImageBuilder, repoImageDir } from '../host/vm/vm-settings.js';
import { ControlClient, controlSocket, type ControlMessage } from './vm/control.js';
import { EXIT, exitCodeFor } from './vm/exit-codes.js';
import { ensureDaemon } from './vm/host-process.js';


function pingHostSocket(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    http
      .get({ socketPath, path: '/_ping' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      })
      .on('error', () => resolve(false));
  });
}

/** Builds the VM image from this checkout when it is missing (a packaged app ships it). */
function ensureImage(paths: BerthPaths): number {
  const { imageDir } = loadVmSettings(paths.settings);
  if (existsSync(path.join(imageDir, 'rootfs.squashfs'))) return EXIT.ok;
  const builder = repoImageBuilder();
  if (!builder || path.resolve(imageDir) !== repoImageDir()) {
    process.stderr.write(`berth: the VM image is missing from ${imageDir}\n`);
    return EXIT['image-missing'];
  }
  process.stderr.write(`berth: building the VM image (${builder})\n`);
  const res = spawnSync(builder, [], { stdio: ['ignore', 'inherit', 'inherit'] });
  return res.status === 0 ? EXIT.ok : EXIT['image-missing'];
}

export function printFailure(error: VmError): void {
  process.stderr.write(`berth: start failed${error.stage ? ` at stage "${error.stage}"` : ''} (${error.code}): ${error.message}\n`);
  if (error.consoleTail) process.stderr.write(`--- VM console (last lines) ---\n${error.consoleTail}\n`);
}

export async function runStart(op: 'start' | 'restart'): Promise<number> {
  const paths = berthPaths();
  const image = ensureImage(paths);
  if (image !== EXIT.ok) return image;
  await ensureDaemon(paths);
  const t0 = Date.now();
  let result: ControlMessage | undefined;
  let hostTools: HostToolsReport | undefined;
  let hostToolsError: unknown;
  await ControlClient.request(
    controlSocket(paths),
    { op },
    (msg) => {
      if (msg.type === 'progress') {
        const stage = String(msg.stage);
        if (msg.phase === 'begin') process.stderr.write(`  ${STAGE_TEXT[stage as keyof typeof STAGE_TEXT] ?? stage}…\n`);
      } else if (msg.type === 'done') {
        result = msg;
      }
    },
    // The user's side (context, links, config.json) needs nothing from the VM: it is done while the VM boots in the
    // host process, not after (it cost seconds of `berth start` under load). Progress lines wait in the socket.
    () => {
      try {
        hostTools = setUpHostTools({ paths, socket: paths.dockerSocket, useContext: useContextSetting(paths.settings) });
      } catch (err) {
        hostToolsError = err;
      }
    },
  );
  if (!result) {
    process.stderr.write('berth: the host process went away during start; see `berth logs host`\n');
    return EXIT.failed;
  }
  if (!result.ok) {
    printFailure(result.error as VmError);
    return exitCodeFor(result.error as VmError);
  }
  if (!(await pingHostSocket(paths.dockerSocket))) {
    process.stderr.write(`berth: the VM runs but ${paths.dockerSocket} does not answer\n`);
    return EXIT.failed;
  }
  process.stdout.write(`Berth is running (${((Date.now() - t0) / 1000).toFixed(1)} s), socket ${paths.dockerSocket}.\n`);
  if (hostToolsError) throw hostToolsError;
  if (hostTools) process.stdout.write(`${formatHostToolsReport(hostTools)}\n`);
  return EXIT.ok;
}

export async function main(_argv: string[]): Promise<void> {
  process.exitCode = await runStart('start');
}
