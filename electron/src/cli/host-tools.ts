import { berthPaths } from '../host/paths.js';
import { formatSystemLinks, invokingUserEnv, linkSystemTools, SYSTEM_BIN_DIR, unlinkSystemTools } from '../host/toolchain/system-links.js';
import { EXIT } from './vm/exit-codes.js';

const USAGE = `usage: berth host-tools link-system [--dir DIR]     links docker and docker-credential-berth into ${SYSTEM_BIN_DIR}
       berth host-tools unlink-system [--dir DIR]   removes the links Berth made there
`;

/**
 * \`berth host-tools link-system|unlink-system [--dir DIR]\`: the optional links in /usr/local/bin that Docker Desktop
 * offers. Start never makes them; they need someone who may write there (root, or a user-owned /usr/local/bin).
 */
export async function main(argv: string[]): Promise<void> {
  const [verb, ...rest] = argv;
  const at = rest.indexOf('--dir');
  const dir = at >= 0 ? rest[at + 1] : SYSTEM_BIN_DIR;
  if ((verb !== 'link-system' && verb !== 'unlink-system') || !dir) {
    process.stderr.write(USAGE);
    process.exitCode = EXIT.usage;
    return;
  }
  const env = invokingUserEnv();
  const paths = berthPaths(env);
  try {
    if (verb === 'link-system') {
      const outcomes = linkSystemTools({ paths, dir, env });
      process.stdout.write(`${formatSystemLinks(dir, outcomes)}\n`);
    } else {
      const { removed, left } = unlinkSystemTools({ paths, dir, env });
      process.stdout.write(removed.length ? `Removed ${removed.join(', ')}\n` : `No links of Berth's in ${dir}.\n`);
      for (const p of left) process.stdout.write(`Left ${p} alone: it is no longer Berth's link.\n`);
    }
  } catch (err) {
    process.stderr.write(`berth host-tools: ${(err as Error).message}\n`);
    process.exitCode = EXIT.failed;
  }
}
