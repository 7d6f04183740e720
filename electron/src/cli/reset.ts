import { rmSync } from 'node:fs';
import path from 'node:path';
import { berthPaths } from '../host/paths.js';
import { vmFiles } from '../host/vm/vm-files.js';
import { EXIT } from './vm/exit-codes.js';
import { main as stop } from './stop.js';

/** `berth reset [--force]`: factory reset of the VM; says what goes before doing it. */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  const files = vmFiles(paths);
  const doomed = [files.dataDisk, files.sshDir, path.join(paths.logs)];
  if (!argv.includes('--force')) {
    process.stderr.write(
      `berth reset deletes every image, container, volume and network in the VM, and the VM's keys:\n${doomed.map((d) => `  ${d}`).join('\n')}\nRun again with --force to do it.\n`,
    );
    process.exitCode = EXIT.usage;
    return;
  }
  await stop([]);
  for (const d of doomed) rmSync(d, { recursive: true, force: true });
  process.stdout.write('Berth was reset. `berth start` boots a fresh VM.\n');
}
