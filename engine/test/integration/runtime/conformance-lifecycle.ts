import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { Attachment } from '../../../src/runtime/monitor/attachment.js';
import { ContainerProcess } from '../../../src/runtime/monitor/container-process.js';
import type { RuntimeHarness } from './harness.js';

/** Collects an attachment's output as text, for polling on. */
function collect(a: Attachment): { text: () => string } {
  let text = '';
  a.output.on('data', (c: { data: Buffer }) => (text += c.data.toString()));
  return { text: () => text };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function lifecycleTests(h: RuntimeHarness): void {
  it('runs a prepared container with one runtime process: attached before start sees every byte; failures and abandons', async () => {
    const s = await h.create({ args: ['sh', '-c', 'echo first; echo second >&2'], prepare: true });
    expect(s.proc.pid).toBe(0);
    const a = await s.proc.attach();
    const out = collect(a);
    await s.proc.start();
    expect(s.proc.pid).toBeGreaterThan(0);
    expect(await s.proc.wait()).toMatchObject({ exitCode: 0, signal: 0 });
    await until(() => out.text().includes('first\n') && out.text().includes('second\n'), 'all output');
    await h.runtime.delete(s.id);

    const bad = await h.create({ args: ['/no/such/binary'], prepare: true });
    await expect(bad.proc.start()).rejects.toThrow(/^OCI runtime create failed: .*no such file or directory.*: unknown$/s);
    await h.runtime.delete(bad.id, { force: true }).catch(() => undefined);

    const never = await h.create({ args: ['true'], prepare: true });
    never.proc.abandon();
    await until(() => !never.proc.monitorAlive(), 'the abandoned monitor to exit');
    await expect(h.runtime.state(never.id)).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('signals the process through its monitor, and refuses once it has exited', async () => {
    const s = await h.create({ args: ['sleep', '60'], prepare: true });
    await s.proc.start();
    await s.proc.signal(9);
    expect(await s.proc.wait()).toMatchObject({ exitCode: 137, signal: 9 });
    await expect(s.proc.signal(9)).rejects.toThrow();
    await h.runtime.delete(s.id);
  });

  it('pauses and resumes through the freezer', async () => {
    const s = await h.create({ args: ['sleep', '60'] });
    await s.proc.start();
    expect((await h.runtime.state(s.id)).status).toBe('running');
    await h.runtime.pause(s.id);
    expect((await h.runtime.state(s.id)).status).toBe('paused');
    await h.runtime.resume(s.id);
    expect((await h.runtime.state(s.id)).status).toBe('running');
    expect(await h.runtime.ps(s.id)).toContain(s.proc.pid);
    await h.runtime.kill(s.id, 'KILL');
    expect((await s.proc.wait()).exitCode).toBe(137);
    await h.runtime.delete(s.id);
  });

  it('delivers signals by name and number', async () => {
    const s = await h.create({ args: ['sh', '-c', 'trap "exit 7" TERM; echo ready; while true; do sleep 0.1; done'] });
    const a = await s.proc.attach();
    const out = collect(a);
    await s.proc.start();
    await until(() => out.text().includes('ready'), 'ready');
    await h.runtime.kill(s.id, 'SIGTERM');
    expect((await s.proc.wait()).exitCode).toBe(7);
    await h.runtime.delete(s.id);
    const t = await h.create({ args: ['sleep', '60'] });
    await t.proc.start();
    await h.runtime.kill(t.id, 9);
    expect(await t.proc.wait()).toMatchObject({ exitCode: 137, signal: 9, oomKilled: false });
    await expect(h.runtime.kill(t.id, 'NOPE')).rejects.toThrow('Invalid signal: NOPE');
    await h.runtime.delete(t.id);
    await expect(h.runtime.state(t.id)).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('pipes stdin to the container and closes it on request', async () => {
    const s = await h.create({ args: ['sh', '-c', 'while read l; do echo "got $l"; done; echo eof'], openStdin: true });
    const a = await s.proc.attach();
    const out = collect(a);
    await s.proc.start();
    a.write('one\ntwo\n');
    a.closeStdin();
    expect(await a.exit).toBe(0);
    expect(out.text()).toBe('got one\ngot two\neof\n');
    await h.runtime.delete(s.id);
  });

  it('streams large stdin through the container while its output is read (no deadlock)', async () => {
    const s = await h.create({ args: ['cat'], openStdin: true, log: false });
    const a = await s.proc.attach();
    let bytes = 0;
    a.output.on('data', (c: { data: Buffer }) => (bytes += c.data.length));
    await s.proc.start();
    const size = 4 * 1024 * 1024;
    a.write(Buffer.alloc(size, 'x'));
    a.closeStdin();
    expect(await a.exit).toBe(0);
    expect(bytes).toBe(size);
    await h.runtime.delete(s.id);
  });

  it('gives a TTY that follows resizes', async () => {
    const s = await h.create({ args: ['sh', '-c', 'tty; read x; stty size; read y; stty size'], terminal: true, openStdin: true });
    const a = await s.proc.attach();
    const out = collect(a);
    await s.proc.start();
    await until(() => out.text().includes('/dev/pts/'), 'tty');
    a.resize(30, 100);
    a.write('\n');
    await until(() => out.text().includes('30 100'), 'first size');
    await s.proc.resize(40, 120);
    a.write('\n');
    await until(() => out.text().includes('40 120'), 'second size');
    expect(await a.exit).toBe(0);
    await h.runtime.delete(s.id);
  });

  it('execs into a running container, with and without a TTY, and updates resources', async () => {
    const s = await h.create({ args: ['sleep', '60'] });
    await s.proc.start();
    const process = { user: { uid: 0, gid: 0 }, args: ['sh', '-c', 'echo exec-out; echo exec-err >&2; exit 3'], env: ['PATH=/bin'], cwd: '/' };
    const e = await ContainerProcess.exec({ id: s.id, runtime: h.runtime, stateDir: `${s.stateDir}-e1`, monitorBinary: h.monitorBinary, process });
    const a = await e.attach();
    const chunks: string[] = [];
    a.output.on('data', (c: { stream: string; data: Buffer }) => chunks.push(`${c.stream}:${c.data.toString()}`));
    expect(await a.exit).toBe(3);
    expect(chunks.sort()).toEqual(['stderr:exec-err\n', 'stdout:exec-out\n']);
    expect((await e.wait()).exitCode).toBe(3);
    const ttyProcess = { ...process, args: ['sh', '-c', 'tty'] };
    const t = await ContainerProcess.exec({ id: s.id, runtime: h.runtime, stateDir: `${s.stateDir}-e2`, monitorBinary: h.monitorBinary, process: ttyProcess, tty: true });
    const ta = await t.attach();
    const tout = collect(ta);
    expect(await ta.exit).toBe(0);
    expect(tout.text()).toMatch(/^\/dev\/pts\/\d+\r\n$/);
    await h.runtime.update(s.id, { pids: { limit: 50 } });
    await h.runtime.kill(s.id, 'KILL');
    await s.proc.wait();
    await h.runtime.delete(s.id);
  });
}
