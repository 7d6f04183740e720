import { execFile } from 'node:child_process';
import { Conflict, InvalidArgument, SystemError } from '../base/errors.js';
import { publish, type ContainerContext } from './context.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** dockerd refuses `ps` options that rename the PID column to something else (`-o pid=PID`-style tricks). */
export function validatePsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+(\S*)=\s*(PID\S*)/g)) {
    if (m[1] !== 'pid') throw new InvalidArgument(`specifying "${m[1]}=${m[2]}" is not allowed`);
  }
}

/** ASCII-whitespace fields, as dockerd splits ps output (unicode spaces stay inside fields). */
function fields(line: string): string[] {
  return line.split(/[ \t\n\v\f\r]+/).filter((f) => f !== '');
}

/**
 * dockerd's parsePSOutput: keep the rows whose PID belongs to the container; `-` rows (threads with `-m`) follow
 * the process above them; columns past the last title are joined into the last one (the command).
 */
export function parsePsOutput(output: string, pids: number[]): TopResult {
  const lines = output.split('\n');
  const titles = fields(lines[0] ?? '');
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw new SystemError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  const take = (f: string[]): void => {
    processes.push([...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')]);
  };
  let previousKept = false;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const f = fields(line);
    const pidField = f[pidIndex] ?? '';
    if (pidField === '-') {
      if (previousKept) take(f);
      continue;
    }
    const pid = Number(pidField);
    if (!Number.isInteger(pid)) throw new SystemError(`Unexpected pid '${pidField}': strconv.Atoi: parsing "${pidField}": invalid syntax`);
    previousKept = pids.includes(pid);
    if (previousKept) take(f);
  }
  return { Titles: titles, Processes: processes };
}

function runPs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      // Go's exec error text, as dockerd passes it on.
      if (err) reject(new SystemError(`Error running ps: ${typeof err.code === 'number' ? `exit status ${err.code}` : err.message}`));
      else resolve(stdout);
    });
  });
}

/** `GET /containers/{id}/top`: the host's `ps` with the caller's arguments, narrowed to the container's pids. */
export async function containerTop(ctx: ContainerContext, idOrName: string, psArgs: string): Promise<TopResult> {
  validatePsArgs(psArgs);
  const record = ctx.store.get(idOrName);
  if (!record.State.Running) throw new Conflict(`Container ${record.Id} is not running`);
  if (record.State.Restarting) throw new Conflict(`Container ${record.Id} is restarting, wait until the container is running`);
  const runtime = ctx.runtimes.get(record.HostConfig.Runtime);
  if (!runtime) throw new Conflict(`Container ${record.Id} is not running`);
  const pids = await runtime.ps(record.Id);
  const output = await runPs(psArgs.split(' ').filter((a) => a !== ''));
  const result = parsePsOutput(output, pids);
  publish(ctx, record, 'top');
  return result;
}
