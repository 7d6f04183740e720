import { berthPaths } from '../host/paths.js';
import { currentContext, ensureContext, removeContext, useContext } from '../host/context/docker-context.js';
import { EXIT } from './vm/exit-codes.js';

/** `berth context [create|use|rm]`: the `berth` docker context (created by `berth start` anyway). */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  switch (argv[0] ?? 'show') {
    case 'show':
      process.stdout.write(`current docker context: ${currentContext()}\n`);
      return;
    case 'create':
      process.stdout.write(`${ensureContext(paths.dockerSocket)}\n`);
      return;
    case 'use':
      ensureContext(paths.dockerSocket);
      useContext();
      process.stdout.write('docker now uses the berth context by default.\n');
      return;
    case 'rm':
      removeContext();
      process.stdout.write('removed the berth docker context.\n');
      return;
    default:
      process.stderr.write('usage: berth context [show|create|use|rm]\n');
      process.exitCode = EXIT.usage;
  }
}
