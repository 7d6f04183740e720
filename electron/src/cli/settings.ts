import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { berthPaths } from '../host/paths.js';
import { loadVmSettings } from '../host/vm/vm-settings.js';
import { EXIT } from './vm/exit-codes.js';

const USAGE = `usage: berth settings get [KEY]        e.g. berth settings get vm.cpus
       berth settings set KEY VALUE    e.g. berth settings set vm.memoryMiB 4096
VM keys: vm.cpus, vm.memoryMiB, vm.diskGiB, vm.accel (auto|kvm|hvf|whpx|tcg), vm.shares (JSON list), vm.engineArgs (JSON list), vm.imageDir`;

function read(file: string): Record<string, unknown> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/** `berth settings get|set` on ~/.berth/settings.json; VALUE is parsed as JSON when it parses, else kept as text. */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  const [op, key, value] = argv;
  if (op === 'get') {
    const effective = { ...read(paths.settings), vm: loadVmSettings(paths.settings) } as Record<string, unknown>;
    const found = key ? key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), effective) : effective;
    if (found === undefined) {
      process.stderr.write(`berth settings: no setting ${key}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stdout.write((typeof found === 'string' ? found : JSON.stringify(found, null, 2)) + '\n');
    return;
  }
  if (op === 'set' && key && value !== undefined) {
    const all = read(paths.settings);
    const parts = key.split('.');
    let node = all;
    for (const k of parts.slice(0, -1)) node = (node[k] && typeof node[k] === 'object' ? node[k] : (node[k] = {})) as Record<string, unknown>;
    let parsed: unknown = value;
    try {
      parsed = JSON.parse(value);
    } catch {
      // plain text
    }
    node[parts[parts.length - 1] ?? key] = parsed;
    mkdirSync(path.dirname(paths.settings), { recursive: true });
    writeFileSync(`${paths.settings}.tmp`, JSON.stringify(all, null, 2) + '\n');
    renameSync(`${paths.settings}.tmp`, paths.settings);
    if (key.startsWith('vm.') && key !== 'vm.shares') process.stdout.write('Saved. Takes effect at the next `berth restart`.\n');
    return;
  }
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = EXIT.usage;
}
