// `berth extension …` (and `docker extension …` through the docker-extension CLI plugin): Docker Desktop's
// extension commands against any Docker-API engine (--engine, else $DOCKER_HOST, else Berth's socket).
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { connectEngine } from '../host/ui/engine-endpoint.js';
import { dockerCliFrom } from '../host/extensions/docker-cli.js';
import { guestServicesFor } from '../host/extensions/guest-services.js';
import { EXTENSION_API_VERSION } from '../host/extensions/labels.js';
import { ExtensionManager } from '../host/extensions/manager.js';
import { formatLs } from '../host/extensions/ls.js';
import { berthPaths } from '../host/paths.js';
import { defaultEngine } from './dashboard.js';

export const CLIENT_VERSION = '0.1.0';

const USAGE = `usage: berth extension COMMAND [--engine unix:///path/to/socket]

Manages Docker extensions.

Commands:
  install IMAGE[:TAG] [-f]   install an extension (asks first unless -f/--force)
  update IMAGE[:TAG] [-f]    remove, then install a new version
  rm IMAGE                   remove an extension (also: uninstall)
  ls                         list installed extensions
  enable | disable           turn Docker Extensions on or off
  validate IMAGE|metadata.json  check labels and metadata.json
  version                    the client and extension API versions
  dev ui-source EXT URL | dev debug EXT | dev reset EXT`;

const WARNING = 'Extensions can install binaries, invoke commands and access files on your machine. Are you sure you want to continue? [y/N] ';

async function confirm(io: CliIo): Promise<boolean> {
  io.out(WARNING);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The command's exit code; `prog` names it in messages (`berth extension` or `docker extension`). */
export async function runExtensionCommand(argv: string[], io: CliIo = stdio, prog = 'berth extension'): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      engine: { type: 'string' },
      force: { type: 'boolean', short: 'f', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [verb, ...args] = positionals;
  if (values.help || !verb) { io.out(`${USAGE.replace(/berth extension/g, prog)}\n`); return verb || values.help ? 0 : 1; }
  const engine = values.engine ?? defaultEngine();
  const { docker } = connectEngine(engine);
  const paths = berthPaths();
  // In the Berth VM, a backend's sockets are in the VM: removing an extension clears its folder there over SSH.
  const guestServices = guestServicesFor(engine, paths, path.join(paths.home, 'extensions'));
  const manager = new ExtensionManager({ docker, engine, cli: dockerCliFrom(), home: paths.home, guestServices });
  try {
    return await runVerb(manager, verb, args, values.force, io, prog);
  } finally {
    manager.close();
  }
}

async function runVerb(manager: ExtensionManager, verb: string, args: string[], force: boolean, io: CliIo, prog: string): Promise<number> {
  const progress = (line: string) => io.out(`${line}\n`);
  const need = (n: number, what: string) => {
    if (args.length < n) throw new Error(`"${prog} ${verb}" requires ${what}`);
  };
  switch (verb) {
    case 'install':
    case 'update': {
      need(1, 'an image');
      if (!force && !(await confirm(io))) { io.err('Aborted\n'); return 1; }
      const ext = verb === 'install' ? await manager.install(args[0]!, progress) : await manager.update(args[0]!, progress);
      io.out(`Extension "${ext.title}" ${verb === 'install' ? 'installed' : 'updated'} successfully\n`);
      return 0;
    }
    case 'rm':
    case 'uninstall': {
      need(1, 'an extension');
      const ext = await manager.remove(args[0]!, progress);
      io.out(`Extension "${ext.title}" uninstalled successfully\n`);
      return 0;
    }
    case 'ls': {
      const exts = await manager.list();
      io.out(formatLs(await Promise.all(exts.map(async (e) => ({ ext: e, vm: await manager.backendState(e).catch(() => undefined) })))));
      return 0;
    }
    case 'enable':
    case 'disable':
      await manager.setEnabled(verb === 'enable');
      io.out(`Docker Extensions ${verb}d\n`);
      return 0;
    case 'validate': {
      need(1, 'an image or a metadata.json');
      const problems = await manager.validate(args[0]!);
      if (problems.length) { io.err(`${problems.map((p) => `- ${p}`).join('\n')}\n`); return 1; }
      io.out(args[0]!.endsWith('.json') ? `The metadata file "${args[0]}" is valid\n` : `The extension image "${args[0]}" is valid\n`);
      return 0;
    }
    case 'version':
      io.out(`Client Version: v${CLIENT_VERSION}\nServer API Version: ${EXTENSION_API_VERSION}\n`);
      return 0;
    case 'dev': {
      const [sub, name, url] = args;
      if (sub === 'ui-source' && name && url) {
        if (!/^https?:\/\//.test(url)) throw new Error(`the UI source must be an http:// or https:// URL, not ${JSON.stringify(url)}`);
        await manager.setDev(name, { uiSource: url });
      } else if (sub === 'debug' && name) await manager.setDev(name, { debug: true });
      else if (sub === 'reset' && name) await manager.setDev(name, { uiSource: null, debug: null });
      else throw new Error(`usage: ${prog} dev ui-source EXT URL | dev debug EXT | dev reset EXT`);
      return 0;
    }
    default:
      io.err(`${prog}: unknown command "${verb}"\n\n${USAGE.replace(/berth extension/g, prog)}\n`);
      return 1;
  }
}

export async function main(argv: string[]): Promise<void> {
  try {
    process.exitCode = await runExtensionCommand(argv);
  } catch (e) {
    process.stderr.write(`Error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
