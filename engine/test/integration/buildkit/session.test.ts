// What a BuildKit build takes from, and gives back to, the client's session, with the real buildx: SSH agent
// forwarding (a real ssh-agent holding a generated key), registry credentials for a private base image (an htpasswd
// registry and `docker login`), `-o type=local|tar` outputs, the TTY display, and a Ctrl-C that leaves nothing behind.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerBinary, dockerEnv, pushTestImages, startRegistry, stopByPid, systemDockerBinary, type ClientKind, type TestRegistry } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { writeContext } from '../build/build-context.js';
import { buildxDocker, buildxOk, defaultKind, type BuildxRunOptions } from './clients.js';

const PRIVATE_AUTH = { username: 'builder', password: 'bk-s3cret-pw' };
/** CLI 28 (the machine's) when present, and the bundled CLI 26.1, each with buildx 0.13.1. */
const KINDS: ClientKind[] = systemDockerBinary() ? ['system', 'bundled'] : ['bundled'];

describe('BuildKit session services with the real buildx', () => {
  let rig: ContainerRig;
  let priv: TestRegistry;
  let work: string;
  let agent: ChildProcess | undefined;
  let agentSock = '';
  /** `ssh-add -l` on the host for the test agent. */
  let agentKeys = '';
  const bx = (args: string[], opts?: BuildxRunOptions) => buildxDocker(rig.berthd.dockerHost, args, opts);
  const ok = (args: string[], opts?: BuildxRunOptions): Promise<string> => buildxOk(rig.berthd, args, opts);

  beforeAll(async () => {
    priv = await startRegistry({ auth: PRIVATE_AUTH });
    await pushTestImages(priv);
    rig = await startContainerRig({ extraArgs: ['--insecure-registry', priv.host] });
    work = await mkdtemp(path.join(os.tmpdir(), 'berth-bk-session-'));
    agentKeys = await startAgent();
  }, 180_000);
  afterAll(async () => {
    if (agent) await stopByPid(agent, 5_000);
    await rig?.stop();
    await priv?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A real ssh-agent on a socket of ours, holding a fresh ed25519 key; resolves to `ssh-add -l`'s line for it. */
  async function startAgent(): Promise<string> {
    agentSock = path.join(work, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    for (let i = 0; !(await stat(agentSock).then(() => true, () => false)); i++) {
      if (i > 200) throw new Error('ssh-agent did not make its socket');
      await new Promise((r) => setTimeout(r, 50));
    }
    const key = path.join(work, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-ssh-test', '-f', key]);
    const env = { ...process.env, SSH_AUTH_SOCK: agentSock };
    execFileSync('ssh-add', ['-q', key], { env, stdio: 'ignore' });
    return execFileSync('ssh-add', ['-l'], { env }).toString().trim();
  }

  /** The host's ssh-add with its libraries, as a context dir to bind into a busybox RUN (the test image has no ssh). */
  async function sshAddRoot(dir: string): Promise<string> {
    const libs = execFileSync('ldd', ['/usr/bin/ssh-add']).toString().match(/\/\S+/g) ?? [];
    for (const f of ['/usr/bin/ssh-add', ...libs]) {
      await mkdir(path.join(dir, path.dirname(f)), { recursive: true });
      await cp(f, path.join(dir, f), { dereference: true });
    }
    const loader = libs.find((l) => /ld-linux/.test(l))!;
    const libDirs = [...new Set(libs.map((l) => path.join('/ssh', path.dirname(l))))].join(':');
    return `/ssh${loader} --library-path ${libDirs} /ssh/usr/bin/ssh-add`;
  }

  it.each(KINDS)('--ssh default (%s CLI): RUN --mount=type=ssh sees the client\'s agent through SSH_AUTH_SOCK, and the socket is not in the image', async (kind) => {
    const listed = agentKeys;
    expect(listed).toContain('berth-ssh-test (ED25519)');
    const ctx = await writeContext(work, `ssh-${kind}`, {});
    const sshAdd = await sshAddRoot(path.join(ctx, 'sshroot'));
    await writeContext(work, `ssh-${kind}`, {
      Dockerfile: [
        `FROM ${rig.busybox}`,
        `RUN --mount=type=bind,source=sshroot,target=/ssh --mount=type=ssh echo "sock=$SSH_AUTH_SOCK" && ${sshAdd} -l`,
        `RUN --mount=type=bind,source=sshroot,target=/ssh --mount=type=ssh,id=default,target=/tmp/agent,mode=0666 ${sshAdd} -l | sed s/^/second:/`,
        '',
      ].join('\n'),
    });
    const out = await ok(['build', '--progress=plain', '--no-cache', '--ssh', 'default', '-t', 'bk-ssh', ctx], { kind, env: { SSH_AUTH_SOCK: agentSock } });
    expect(out).toContain('sock=/run/buildkit/ssh_agent.0');
    expect(out).toContain(listed);
    expect(out).toContain(`second:${listed}`);
    expect(await rig.ok(['run', '--rm', 'bk-ssh', 'sh', '-c', 'ls -a /run /tmp; echo "[$SSH_AUTH_SOCK]"'])).not.toMatch(/buildkit|agent|\[\/run/);
  }, 180_000);

  it('RUN --mount=type=ssh,required without --ssh fails in BuildKit\'s words; without required it runs without an agent', async () => {
    const ctx = await writeContext(work, 'ssh-missing', { Dockerfile: `FROM ${rig.busybox}\nRUN --mount=type=ssh echo optional-ok\nRUN --mount=type=ssh,required=true echo never\n` });
    const r = await bx(['build', '--progress=plain', '--no-cache', ctx], { env: { SSH_AUTH_SOCK: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('optional-ok');
    expect(r.stderr).toContain('ERROR: failed to solve: no SSH key "default" forwarded from the client');
  }, 120_000);

  it.each(KINDS)('a private base image (%s CLI): a clear error without login, pulled with the client\'s credentials after docker login', async (kind) => {
    const configDir = path.join(work, `login-config-${kind}`);
    const ctx = await writeContext(work, `private-${kind}`, { Dockerfile: `FROM ${priv.host}/berth-test/busybox:latest\nRUN echo built-on-private\n` });
    // --pull: the second client must pull again, not take the first one's copy from the store.
    const denied = await bx(['build', '--progress=plain', '--pull', ctx], { kind, configDir });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(new RegExp(`ERROR: failed to solve: .*${priv.host.replace(/\./g, '\\.')}/berth-test/busybox.*(unauthorized|authentication required|denied)`, 'i'));
    const login = await bx(['login', priv.host, '-u', PRIVATE_AUTH.username, '--password-stdin'], { kind, configDir, input: PRIVATE_AUTH.password });
    expect(login.code, login.stderr).toBe(0);
    const out = await ok(['build', '--progress=plain', '--pull', '-t', 'bk-private', ctx], { kind, configDir });
    expect(out).toContain(`[auth] sharing credentials for ${priv.host}`);
    expect(out).toContain('built-on-private');
    expect(out).not.toContain(PRIVATE_AUTH.password);
    expect(await rig.berthd.logs()).not.toContain(PRIVATE_AUTH.password);
  }, 180_000);

  it('-o type=local,dest=DIR (CLI 28 if present) and -o DIR write the image\'s files on the client; -o type=tar,dest=FILE a tar of them (CLI 26.1)', async () => {
    const ctx = await writeContext(work, 'outputs', {
      Dockerfile: [
        `FROM ${rig.busybox}`,
        'RUN mkdir -p /out/sub && echo hello > /out/sub/hello.txt && chmod 750 /out/sub && ln -s sub/hello.txt /out/link && ln /out/sub/hello.txt /out/hard && printf "" > "/out/ünï"',
        '',
      ].join('\n'),
    });
    const local = path.join(work, 'out-local');
    const out = await ok(['build', '--progress=plain', '-o', `type=local,dest=${local}`, ctx]);
    expect(out).toContain('exporting to client directory');
    expect(out).toMatch(/copying files [\d.]+[kM]?B/);
    expect(await readFile(path.join(local, 'out/sub/hello.txt'), 'utf8')).toBe('hello\n');
    expect((await stat(path.join(local, 'out/sub'))).mode & 0o777).toBe(0o750);
    expect(await readlink(path.join(local, 'out/link'))).toBe('sub/hello.txt');
    expect((await stat(path.join(local, 'out/hard'))).ino).toBe((await stat(path.join(local, 'out/sub/hello.txt'))).ino);
    expect((await readdir(path.join(local, 'out'))).sort()).toEqual(['hard', 'link', 'sub', 'ünï']);
    expect((await stat(path.join(local, 'bin/busybox'))).mode & 0o111).not.toBe(0);

    const short = path.join(work, 'out-short');
    await ok(['build', '--progress=plain', '-o', short, ctx], { kind: 'bundled' });
    expect(await readFile(path.join(short, 'out/sub/hello.txt'), 'utf8')).toBe('hello\n');

    const tarFile = path.join(work, 'out.tar');
    const tarOut = await ok(['build', '--progress=plain', '-o', `type=tar,dest=${tarFile}`, ctx], { kind: 'bundled' });
    expect(tarOut).toContain('exporting to client tarball');
    const listing = execFileSync('tar', ['-tvf', tarFile]).toString();
    expect(listing).toMatch(/^drwxr-x--- .* out\/sub$/m);
    expect(listing).toMatch(/ out\/link -> sub\/hello\.txt$/m);
    expect(listing).toMatch(/ out\/sub\/hello\.txt link to out\/hard$|out\/hard link to out\/sub\/hello\.txt$/m);
    const untarred = path.join(work, 'untarred');
    await mkdir(untarred);
    execFileSync('tar', ['-xf', tarFile, '-C', untarred, 'out']);
    expect(await readFile(path.join(untarred, 'out/sub/hello.txt'), 'utf8')).toBe('hello\n');
  }, 180_000);

  it('the TTY display (the CLI under a pty) ends with FINISHED and every step; FROM image@sha256 is named by its digest', async () => {
    const inspect = await rig.ok(['image', 'inspect', '-f', '{{index .RepoDigests 0}}', rig.busybox]);
    const digest = inspect.slice(inspect.indexOf('@') + 1);
    const byDigest = `${rig.busybox.replace(/:latest$/, '')}@${digest}`;
    const ctx = await writeContext(work, 'tty', { Dockerfile: `FROM ${byDigest}\nRUN echo tty-step\n` });
    const env = dockerEnv(rig.berthd.dockerHost, { client: { kind: defaultKind(), buildx: true }, env: { TERM: 'xterm' } });
    const docker = dockerBinary({ kind: defaultKind(), buildx: true });
    const screen = await new Promise<string>((resolve, reject) => {
      // script(1) gives the CLI a pty, so buildx picks its TTY display as it does in a terminal.
      const child = spawn('script', ['-qfec', `stty cols 200 rows 50; ${docker} build --no-cache -t bk-tty ${ctx}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}:\n${text}`))));
    });
    // eslint-disable-next-line no-control-regex
    const plain = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toMatch(/\[\+\] Building [\d.]+s \(\d+\/\d+\) FINISHED/);
    expect(plain).toContain(`[1/2] FROM ${byDigest}`);
    expect(plain).not.toContain(`${byDigest}@`);
    expect(plain).toContain('[2/2] RUN echo tty-step');
    expect(plain).toContain('naming to docker.io/library/bk-tty:latest');
  }, 180_000);

  it('Ctrl-C mid-RUN leaves no container, mount or temporary directory of the build', async () => {
    const secret = path.join(work, 'cancel-secret');
    execFileSync('sh', ['-c', `printf s3 > ${secret}`]);
    const ctx = await writeContext(work, 'cancel', {
      Dockerfile: `FROM ${rig.busybox}\nCOPY f /f\nRUN --mount=type=secret,id=s --mount=type=cache,target=/c --mount=type=ssh echo started; sleep 300\n`,
      f: 'x\n',
    });
    let pid = 0;
    const run = bx(['build', '--progress=plain', '--no-cache', '--secret', `id=s,src=${secret}`, '--ssh', 'default', ctx], {
      started: (p) => (pid = p),
      env: { SSH_AUTH_SOCK: agentSock },
    });
    await expect.poll(async () => rig.ok(['ps', '-q']), { timeout: 60_000, interval: 200 }).not.toBe('');
    process.kill(pid, 'SIGINT');
    const r = await run;
    expect(r.code).not.toBe(0);
    await expect.poll(async () => rig.ok(['ps', '-aq']), { timeout: 30_000, interval: 200 }).toBe('');
    const { dataRoot, execRoot } = rig.berthd;
    const leftovers = async (): Promise<string[]> => {
      const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').filter((l) => l.includes(execRoot) || l.includes(dataRoot));
      const dirs = [path.join(dataRoot, 'build/mounts'), path.join(dataRoot, 'build/contexts'), path.join(execRoot, 'build')];
      const entries = (await Promise.all(dirs.map(async (d) => (await readdir(d).catch(() => [])).map((n) => path.join(d, n))))).flat();
      return [...mounts, ...entries];
    };
    await expect.poll(leftovers, { timeout: 15_000, interval: 250 }).toEqual([]);
  }, 180_000);
});
