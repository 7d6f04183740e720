import { berthPaths } from '../host/paths.js';
import { dockerConfigDir } from '../host/context/docker-context.js';
import { serveCredentialHelper } from '../host/credentials/helper-service.js';
import { migratePlainLogins, plainLogins } from '../host/credentials/migrate.js';
import { openRegistryCredentials } from '../host/credentials/open.js';
import { DockerConfigSetup } from '../host/toolchain/docker-config-setup.js';
import { EXIT } from './vm/exit-codes.js';

const USAGE = 'usage: berth credentials ls [--json] | rm SERVER | migrate | serve\n';

/** `berth credentials`: the registry logins Berth keeps in the OS keychain, for scripts. Never prints a secret. */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  const creds = openRegistryCredentials(paths);
  try {
    switch (argv[0] ?? 'ls') {
      case 'ls': {
        const list = creds.list();
        if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(list.map((e) => ({ server: e.serverURL, username: e.username })))}\n`);
        else if (!list.length) process.stdout.write('No registry logins in the keychain.\n');
        else process.stdout.write(`${['SERVER\tUSERNAME', ...list.map((e) => `${e.serverURL}\t${e.username}`)].join('\n')}\n`);
        return;
      }
      case 'rm': {
        const server = argv[1];
        if (!server) break;
        if (!(await creds.erase(server))) {
          process.stderr.write(`berth credentials: no login for ${server}\n`);
          process.exitCode = EXIT.failed;
          return;
        }
        process.stdout.write(`Signed out of ${server}.\n`);
        return;
      }
      case 'serve': {
        // What berth daemon and the app run beside everything else, alone and in the foreground: for a native berthd
        // (scripts/start.sh --native) and the bench.
        const service = await serveCredentialHelper(paths, () => creds);
        process.stdout.write(`Answering docker-credential-berth get and list on 127.0.0.1:${service.port} (${service.file}).\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', resolve);
          process.once('SIGINT', resolve);
        });
        service.close();
        return;
      }
      case 'migrate': {
        const setup = new DockerConfigSetup(paths, dockerConfigDir());
        if (!plainLogins(setup.file.read()).length) {
          setup.adoptLogins([]);
          process.stdout.write(`No plain-text logins in ${setup.file.file}; credsStore is "berth".\n`);
          return;
        }
        const moved = await migratePlainLogins(setup, creds);
        process.stdout.write(`Moved ${moved.length} login(s) to the OS keychain (${moved.join(', ')}); ${setup.file.file} keeps no secret now.\n`);
        return;
      }
    }
  } catch (err) {
    process.stderr.write(`berth credentials: ${(err as Error).message}\n`);
    process.exitCode = EXIT.failed;
    return;
  }
  process.stderr.write(USAGE);
  process.exitCode = EXIT.usage;
}
