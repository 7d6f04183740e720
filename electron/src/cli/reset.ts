import { berthPaths } from '../host/paths.js';
import { deleteFactoryData, factoryResetTargets } from '../host/vm/factory-reset.js';
import { EXIT } from './vm/exit-codes.js';
import { main as stop } from './stop.js';

/** `berth reset [--force]`: factory reset of the VM; says what goes before doing it. */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  const doomed = factoryResetTargets(paths);
  if (!argv.includes('--force')) {
    process.stderr.write(
      `berth reset deletes every image, container, volume and network in the VM, and the VM's keys:\n${doomed.map((d) => `  ${d}`).join('\n')}\nRun again with --force to do it.\n`,
    );
    process.exitCode = EXIT.usage;
    return;
  }
  await stop([]);
  deleteFactoryData(paths);
  process.stdout.write('Berth was reset. `berth start` boots a fresh VM.\n');
}
