import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { ContainerProcess } from '../../../src/runtime/monitor/container-process.js';
import type { RuntimeHarness } from './harness.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
// A bundled copy of the suite (crun's run in the VM, where there is Node but no TypeScript) carries the fixture
// compiled next to it; from the sources it runs through the TypeScript loader.
const bundledFakeBerthd = join(fixtures, 'fake-berthd.mjs');
const fakeBerthd = existsSync(bundledFakeBerthd) ? [bundledFakeBerthd] : ['--import', join(fixtures, 'register-ts.mjs'), join(fixtures, 'fake-berthd.ts')];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A container created by a berthd that then dies with SIGKILL keeps running, logging and recording its exit. */
export function crashSurvivalTests(h: RuntimeHarness): void {
  it('survives kill -9 of the process that created it, then is reattached, fed and reaped', async () => {
    const s = await h.create({ args: ['true'], log: false });
    await h.runtime.delete(s.id, { force: true });
    // A separate node process plays berthd; the harness only prepared the bundle above.
    const id = `${s.id}-crash`;
    const stateDir = `${s.stateDir}-crash`;
    const logPath = join(h.dir, `${id}-json.log`);
    const script = 'while read l; do echo "seen $l"; done; exit 5';
    const { writeFile } = await import('node:fs/promises');
    const spec = { ...s.spec, process: { ...s.spec.process, args: ['sh', '-c', script] } };
    await writeFile(join(s.bundle, 'config.json'), JSON.stringify({ ...spec, linux: { ...spec.linux, cgroupsPath: `${h.cgroupParent}/${id}` } }));
    const child = spawn(
      process.execPath,
      [...fakeBerthd, h.runtime.name, h.runtime.binary, h.runtime.root, id, s.bundle, stateDir, h.monitorBinary, logPath, `${h.cgroupParent}/${id}`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let line = '';
    for await (const chunk of child.stdout) {
      line += chunk.toString();
      if (line.includes('\n')) break;
    }
    const { pid, monitorPid } = JSON.parse(line) as { pid: number; monitorPid: number };
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    expect(alive(monitorPid)).toBe(true);
    expect(alive(pid)).toBe(true);
    expect((await h.runtime.state(id)).status).toBe('running');

    const proc = await ContainerProcess.reattach({ id, runtime: h.runtime, stateDir, monitorBinary: h.monitorBinary, cgroupsPath: `${h.cgroupParent}/${id}` });
    expect(proc.pid).toBe(pid);
    expect(proc.monitorAlive()).toBe(true);
    const a = await proc.attach();
    a.output.resume();
    a.write('after-crash\n');
    for (let i = 0; i < 100 && !(await readFile(logPath, 'utf8')).includes('seen after-crash'); i++) await sleep(50);
    a.closeStdin();
    expect(await proc.wait()).toMatchObject({ exitCode: 5, oomKilled: false });
    const log = (await readFile(logPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { log: string; stream: string });
    expect(log).toContainEqual(expect.objectContaining({ log: 'seen after-crash\n', stream: 'stdout' }));
    // A later berthd that only finds the files still reads the same exit.
    const again = await ContainerProcess.reattach({ id, runtime: h.runtime, stateDir, monitorBinary: h.monitorBinary });
    expect((await again.exitStatus())?.exitCode).toBe(5);
    await h.runtime.delete(id);
  });
}
