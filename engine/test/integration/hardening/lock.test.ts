// Finding 2 of issue 17: the data-root lock used to be an abstract unix socket (no permissions, a name anyone could
// compute from the data root), so an ordinary user could bind the name first and keep berthd from starting, or
// connect to it 21,000 times and exhaust berthd's descriptors. Now it is a flock on a 0600 file inside the data root:
// the same two attacks, made by an unprivileged user, must get nowhere.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingSocket, startBerthd, type RunningBerthd } from '../../../../scripts/src/testrig/index.js';
import { restartBerthdInPlace } from '../containers/harness.js';
import { createLocalUser, type LocalUser } from './local-user.js';

let user: LocalUser;
let first: RunningBerthd;
let stopRestarted: (() => Promise<void>) | undefined;
const attackers: ChildProcess[] = [];

beforeAll(async () => {
  user = createLocalUser();
  first = await startBerthd();
  // The roots' parent is traversable, as /var/lib is.
  await chmod(path.dirname(first.socket), 0o755);
}, 120_000);
afterAll(async () => {
  for (const a of attackers) a.stdin?.end();
  // First, so that a failing stop below never leaves the account behind.
  user?.remove();
  await stopRestarted?.();
  await first?.stop();
});

/** The abstract socket name the old lock bound for a data root: computable by anyone who knows the path. */
async function oldLockName(dataRoot: string): Promise<string> {
  return `\0berthd-data-root-${createHash('sha256').update(await realpath(dataRoot)).digest('hex').slice(0, 32)}`;
}

/** Runs a Node script as the unprivileged user; it lives until its stdin closes. Resolves once it printed `ready`. */
function attacker(script: string): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn('runuser', ['-u', user.name, '--', process.execPath, '-e', `${script};process.stdin.on('end',()=>process.exit(0));process.stdin.resume();`], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: '/',
  });
  attackers.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`attacker never got ready: ${out}`)), 60_000);
    child.stdout!.on('data', () => {
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve({ child, out: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`attacker exited ${code}: ${out}`));
    });
  });
}

async function fdCount(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

describe('the data-root lock against an unprivileged user', () => {
  it('cannot be opened or held by them', async () => {
    const r = await user.run(['flock', '-n', path.join(first.dataRoot, 'berthd.lock'), 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Permission denied');
  });

  it('cannot be taken first to keep berthd from starting (after a kill -9, which frees the lock)', async () => {
    process.kill(first.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const name = JSON.stringify(await oldLockName(first.dataRoot));
    const squatter = await attacker(`require('net').createServer().listen(${name}, () => console.log('ready'))`);
    stopRestarted = await restartBerthdInPlace(first, []);
    expect(await pingSocket(first.socket)).toBe(200);
    // The squatter goes: the next attack finds the name free, as it would against a running berthd.
    const gone = new Promise((r) => squatter.child.once('exit', r));
    squatter.child.stdin!.end();
    await gone;
  });

  it("cannot be used to exhaust berthd's descriptors", async () => {
    const pid = Number((await readFile(first.pidfile, 'utf8')).trim());
    const before = await fdCount(pid);
    const name = JSON.stringify(await oldLockName(first.dataRoot));
    // 3,000 connections (the campaign needed 21,000 to starve berthd entirely; 3,000 show the growth). The user's
    // own descriptor limit caps how many it can open; each one refused is what we want.
    const a = await attacker(`const net=require('net');let n=0,done=0;const keep=[];for(let i=0;i<3000;i++){const s=net.createConnection({path:${name}});keep.push(s);s.on('connect',()=>{n++;});s.on('error',()=>{});s.on('close',()=>{});setImmediate(()=>{});}setTimeout(()=>console.log('ready '+n),3000)`);
    const connected = Number(/ready (\d+)/.exec(a.out())?.[1]);
    expect(connected).toBe(0);
    expect(await fdCount(pid)).toBeLessThan(before + 50);
    expect(await pingSocket(first.socket)).toBe(200);
  });
});
