import { berthPaths } from '../host/paths.js';
import { dockerConfigDir, ensureContext, removeContextFiles } from '../host/context/docker-context.js';
import { currentContextOf, DockerConfigSetup } from '../host/toolchain/docker-config-setup.js';
import { EXIT } from './vm/exit-codes.js';

/** `berth context [show|create|use|rm]`: the `berth` docker context (created and made current by `berth start`). */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  const setup = new DockerConfigSetup(paths, dockerConfigDir());
  switch (argv[0] ?? 'show') {
    case 'show':
      process.stdout.write(`current docker context: ${currentContextOf(setup.file.read())}\n`);
      return;
    case 'create':
      process.stdout.write(`${ensureContext(paths.dockerSocket)}\n`);
      return;
    case 'use':
      ensureContext(paths.dockerSocket);
      setup.setContextInUse(true);
      process.stdout.write('docker now uses the berth context by default.\n');
      return;
    case 'rm': {
      const now = setup.setContextInUse(false);
      removeContextFiles();
      process.stdout.write(`removed the berth docker context; current docker context: ${now}\n`);
      return;
    }
    default:
      process.stderr.write('usage: berth context [show|create|use|rm]\n');
      process.exitCode = EXIT.usage;
  }
}
