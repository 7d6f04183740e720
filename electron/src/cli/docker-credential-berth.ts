// `docker-credential-berth`: the credential helper the docker CLI runs when config.json says `"credsStore":
// "berth"`. Kept small: its start-up time is added to every `docker pull`/`push`/`login`.
import { readFileSync } from 'node:fs';
import { berthPaths } from '../host/paths.js';
import { CredentialIndex } from '../host/credentials/credential-index.js';
import { runHelperAction, usage, versionLine } from '../host/credentials/helper-protocol.js';
import { OsKeychainStore } from '../host/credentials/os-keychain.js';
import { RegistryCredentials } from '../host/credentials/registry-credentials.js';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'dev';
  }
}

/**
 * The CLI's input, read straight from fd 0: setting up `process.stdin` (a stream over the pipe) is a measurable part
 * of the helper's start. A non-blocking stdin (EAGAIN) falls back to the stream.
 */
function readStdin(): Promise<string> {
  try {
    return Promise.resolve(readFileSync(0, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function finish(stdout: string, code: number): Promise<void> {
  process.exitCode = code;
  return new Promise((resolve) => process.stdout.write(stdout, () => resolve()));
}

export async function main(argv: string[]): Promise<void> {
  // As the helpers built on docker-credential-helpers' Go library: exactly one argument.
  if (argv.length !== 1) return finish(usage(), 1);
  const [action] = argv as [string];
  if (action === '--version' || action === '-v') return finish(versionLine(packageVersion()), 0);
  if (action === '--help' || action === '-h') return finish(usage(), 0);
  const input = action === 'store' || action === 'get' || action === 'erase' ? await readStdin() : '';
  const credentials = () => new RegistryCredentials(new OsKeychainStore(), new CredentialIndex(berthPaths().credentialIndex));
  const result = await runHelperAction(action, input, credentials, packageVersion());
  return finish(result.stdout, result.code);
}
