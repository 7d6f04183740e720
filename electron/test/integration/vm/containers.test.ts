import { execFile, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDockerBinary, buildUdpEcho, freeLoopbackPort, freeLoopbackUdpPort, type TestRegistry } from '../../../../scripts/src/testrig/index.js';
import { buildCli, ensureImage, hostRegistryForVm, repoRoot } from './vm-image.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one datagram from a fresh socket and waits up to a second for the answer (undefined: none came). */
async function udpAsk(port: number, text: string): Promise<string | undefined> {
  const s = dgram.createSocket('udp4');
  try {
    return await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 1000);
      s.on('message', (m) => {
        clearTimeout(timer);
        resolve(m.toString());
      });
      s.on('error', () => undefined);
      s.send(text, port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

/** Who holds a UDP port on the host: `127.0.0.1:5353`, `0.0.0.0:5353`, … (ss, iproute2). */
function udpBinds(port: number): string[] {
  const out = spawnSync('ss', ['-Hunl', `sport = :${port}`], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)[3] ?? '');
}

/** Who listens on a TCP port on the host: local address and process (ss, iproute2). */
function tcpListeners(port: number): { local: string; pid: number | undefined }[] {
  const out = spawnSync('ss', ['-Htlnp', `sport = :${port}`], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map((l) => {
    const pid = /pid=(\d+)/.exec(l)?.[1];
    return { local: l.trim().split(/\s+/)[3] ?? '', pid: pid ? Number(pid) : undefined };
  });
}

/** Sends `data`, half-closes, and collects everything the server says until it closes too. */
function halfClosedExchange(port: number, data: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => c.end(data));
    let out = '';
    c.on('data', (d: Buffer) => (out += d.toString()));
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
}

/** One kept-open connection to a line echo server: ask(line) resolves with the line that comes back. */
async function lineClient(port: number): Promise<{ ask(line: string): Promise<string>; close(): void }> {
  const c = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => c.once('connect', resolve).once('error', reject));
  let buffered = '';
  let waiting: ((line: string) => void) | undefined;
  c.on('data', (d: Buffer) => {
    buffered += d.toString();
    const nl = buffered.indexOf('\n');
    if (nl >= 0 && waiting) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting(line);
    }
  });
  return {
    ask: (line) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no echo of "${line}" within 10 s`)), 10_000);
        waiting = (l) => {
          clearTimeout(timer);
          resolve(l);
        };
        c.write(`${line}\n`);
      }),
    close: () => c.destroy(),
  };
}

// The "done means" path: an image from a registry on the host (reached from the VM at 10.0.2.2),
// `docker run --rm … echo hi`, and a published port reachable on the host's 127.0.0.1.
describe('containers in the VM through the berth context', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-ctr-'));
  // A second shared folder whose name /proc/mounts escapes (space, backslash): the mount is seen as done.
  const oddShare = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-ctr-share-')), 'my \\ work');
  const env = { ...process.env, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker') };
  const berth = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'bin', 'berth'), ...args], { env, encoding: 'utf8', timeout: 400_000 });
  const docker = (...args: string[]) => run(bundledDockerBinary(), ['--context', 'berth', ...args], { env, timeout: 120_000 });
  let registry: TestRegistry;
  let image: string;

  beforeAll(async () => {
    ensureImage();
    buildCli();
    ({ registry, image } = await hostRegistryForVm(env.BERTH_HOME));
    mkdirSync(oddShare);
    const settingsFile = path.join(env.BERTH_HOME, 'settings.json');
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as { vm: Record<string, unknown> };
    writeFileSync(settingsFile, JSON.stringify({ ...settings, vm: { ...settings.vm, shares: [home, oddShare] } }));
    const res = berth('start');
    if (res.status !== 0) throw new Error(`berth start failed (${res.status}): ${res.stderr}`);
  }, 600_000);

  afterAll(async () => {
    // berthd's own log tail makes a failure here readable.
    console.log(`--- berthd log (VM) ---\n${berth('logs', 'engine', '-n', '40').stdout}`);
    berth('stop');
    await registry?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(path.dirname(oddShare), { recursive: true, force: true });
  });

  it('pulls from the host registry and runs a container', async () => {
    await docker('pull', image);
    const res = await docker('run', '--rm', image, 'echo', 'hi');
    expect(res.stdout).toBe('hi\n');
  });

  it('answers containers on a user network at 127.0.0.11, inside their own namespace', async () => {
    await docker('network', 'create', 'vmnet');
    try {
      await docker('run', '-d', '--name', 'vmdb', '--network', 'vmnet', '--network-alias', 'db', image, 'sleep', '600');
      const ip = (await docker('inspect', '--format', '{{.NetworkSettings.Networks.vmnet.IPAddress}}', 'vmdb')).stdout.trim();
      const res = await docker('run', '--rm', '--network', 'vmnet', image, 'sh', '-c', 'grep ^nameserver /etc/resolv.conf && nslookup db');
      expect(res.stdout).toContain('nameserver 127.0.0.11\n');
      expect(res.stdout).toContain(ip);
    } finally {
      await docker('rm', '-f', 'vmdb').catch(() => undefined);
      await docker('network', 'rm', 'vmnet').catch(() => undefined);
    }
  });

  it("holds the VM's data root with a flock on a 0600 file: nobody else can take it, and only root can reach it", async () => {
    // The VM's own util-linux flock (the test image's busybox has none), through a chroot into the VM's root.
    const vm = ['-v', '/:/vm:ro', '-v', '/var/lib/berth:/vm/var/lib/berth:ro', image, 'chroot', '/vm'];
    const mode = await docker('run', '--rm', ...vm, 'stat', '-c', '%a %U', '/var/lib/berth/berthd.lock');
    expect(mode.stdout).toBe('600 root\n');
    const root = await docker('run', '--rm', ...vm, 'sh', '-c', 'flock -n /var/lib/berth/berthd.lock true; echo exit=$?');
    expect(root.stdout).toBe('exit=1\n');
    // An unprivileged user does not get as far as the file: the data root is 0710 root.
    const nobody = await docker('run', '--rm', '--user', '65534:65534', '-v', '/var/lib/berth:/dr:ro', image, 'sh', '-c', 'cat /dr/berthd.lock 2>&1; echo exit=$?');
    expect(nobody.stdout).toMatch(/Permission denied\nexit=1\n$/);
  });

  it('runs containers with crun on cgroup v2 by default', async () => {
    const info = await docker('info', '--format', '{{.DefaultRuntime}} {{.CgroupVersion}}');
    expect(info.stdout.trim()).toBe('crun 2');
  });

  it('gives containers host.docker.internal, the user\'s machine', async () => {
    const res = await docker('run', '--rm', image, 'sh', '-c', 'grep host.docker.internal /etc/hosts');
    expect(res.stdout).toMatch(/^10\.0\.2\.2\s+host\.docker\.internal$/m);
  });

  it('bind-mounts a host directory both ways (the home directory is shared at the same path)', async () => {
    const dir = path.join(home, 'project');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'hello.txt'), 'from-host\n');
    const read = await docker('run', '--rm', '-v', `${dir}:/src`, image, 'cat', '/src/hello.txt');
    expect(read.stdout).toBe('from-host\n');
    await docker('run', '--rm', '-v', `${dir}:/src`, image, 'sh', '-c', 'echo from-container > /src/out.txt');
    expect(readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('from-container\n');
  });

  it('shares every folder of the settings, whatever its name', async () => {
    writeFileSync(path.join(oddShare, 'note.txt'), 'odd-name\n');
    const read = await docker('run', '--rm', '-v', `${oddShare}:/src`, image, 'cat', '/src/note.txt');
    expect(read.stdout).toBe('odd-name\n');
  });

  it('serves a port published on 127.0.0.1 from QEMU on the host loopback only, and frees it with the container', async () => {
    const port = await freeLoopbackPort();
    const { stdout } = await docker('run', '-d', '-p', `127.0.0.1:${port}:8000`, image, 'sh', '-c', 'echo served-by-berth > /tmp/index.html && httpd -f -p 8000 -h /tmp');
    const id = stdout.trim();
    try {
      let body = '';
      for (let i = 0; i < 50 && !body.includes('served-by-berth'); i++) {
        body = await run('curl', ['-s', '--max-time', '5', `http://127.0.0.1:${port}/index.html`]).then((r) => r.stdout, () => '');
        if (!body) await sleep(200);
      }
      expect(body).toContain('served-by-berth');
      // QEMU itself holds the port (no SSH and no host process in the data path), on loopback only: never the LAN.
      const qemu = (JSON.parse(berth('status', '--json').stdout) as { pid: number }).pid;
      expect(tcpListeners(port)).toEqual([{ local: `127.0.0.1:${port}`, pid: qemu }]);
    } finally {
      await docker('rm', '-f', id);
    }
    for (let i = 0; i < 50 && tcpListeners(port).length > 0; i++) await sleep(200);
    expect(tcpListeners(port)).toEqual([]);
    const refused = await run('curl', ['-s', '--max-time', '2', `http://127.0.0.1:${port}/`]).then(() => 0, (e: { code?: number }) => e.code);
    expect(refused).toBe(7); // curl: couldn't connect
  });

  it('carries a half-closed upload and a connection that idles through a port published on 127.0.0.1', async () => {
    const port = await freeLoopbackPort();
    const echo = await freeLoopbackPort();
    // wc answers only once it has read to the end: the answer must come back after the client's FIN.
    const id = (await docker('run', '-d', '-p', `127.0.0.1:${port}:7000`, '-p', `127.0.0.1:${echo}:7001`, image, 'sh', '-c', 'nc -ll -p 7001 -e cat & exec nc -ll -p 7000 -e wc -c')).stdout.trim();
    try {
      const upload = Buffer.alloc(1 << 20, 'x');
      let answer = '';
      for (let i = 0; i < 50 && !answer; i++) {
        answer = await halfClosedExchange(port, upload).catch(() => '');
        if (!answer) await sleep(200);
      }
      expect(answer.trim()).toBe(String(upload.length));
      const lines = await lineClient(echo);
      try {
        expect(await lines.ask('before')).toBe('before');
        await sleep(5000);
        expect(await lines.ask('after an idle while')).toBe('after an idle while');
      } finally {
        lines.close();
      }
    } finally {
      await docker('rm', '-f', id);
    }
  });

  it('forwards a port published on all interfaces, and reports a host port already taken', async () => {
    const port = await freeLoopbackPort();
    const id = (await docker('run', '-d', '-p', `${port}:8000`, image, 'sh', '-c', 'echo wildcard > /tmp/i.html && httpd -f -p 8000 -h /tmp')).stdout.trim();
    let body = '';
    for (let i = 0; i < 50 && !body.includes('wildcard'); i++) {
      body = await run('curl', ['-s', '--max-time', '5', `http://127.0.0.1:${port}/i.html`]).then((r) => r.stdout, () => '');
      if (!body) await new Promise((r) => setTimeout(r, 200));
    }
    expect(body).toContain('wildcard');
    await docker('rm', '-f', id);

    const taken = net.createServer();
    const busy = await freeLoopbackPort();
    await new Promise<void>((r) => taken.listen(busy, '127.0.0.1', r));
    try {
      const other = (await docker('run', '-d', '-p', `127.0.0.1:${busy}:8000`, image, 'sleep', '60')).stdout.trim();
      let log = '';
      for (let i = 0; i < 50 && !log.includes(`${busy}`); i++) {
        log = berth('logs', 'host').stdout;
        if (!log.includes(`${busy}`)) await new Promise((r) => setTimeout(r, 200));
      }
      expect(log).toMatch(new RegExp(`port 127\\.0\\.0\\.1:${busy} of container \\w+ is taken on the host`));
      await docker('rm', '-f', other);
    } finally {
      taken.close();
    }
  });

  it('forwards published UDP ports (loopback only when bound to 127.0.0.1), removes them with the container, reports one taken', async () => {
    const echo = buildUdpEcho(path.join(home, 'udp-echo'));
    const loopback = await freeLoopbackUdpPort();
    const wildcard = await freeLoopbackUdpPort();
    const id = (await docker('create', '-p', `127.0.0.1:${loopback}:53/udp`, '-p', `${wildcard}:53/udp`, image, '/udp-echo', '53')).stdout.trim();
    try {
      await docker('cp', echo, `${id}:/udp-echo`);
      await docker('start', id);
      let answer: string | undefined;
      for (let i = 0; i < 60 && answer === undefined; i++) answer = await udpAsk(loopback, 'ping');
      expect(answer).toBe('echo:ping');
      expect(await udpAsk(wildcard, 'all interfaces')).toBe('echo:all interfaces');
      // The user's machine holds each port on the address the container asked for.
      expect(udpBinds(loopback)).toEqual([`127.0.0.1:${loopback}`]);
      expect(udpBinds(wildcard)).toEqual([`0.0.0.0:${wildcard}`]);
    } finally {
      await docker('rm', '-f', id);
    }
    for (let i = 0; i < 50 && udpBinds(loopback).length + udpBinds(wildcard).length > 0; i++) await sleep(200);
    expect([...udpBinds(loopback), ...udpBinds(wildcard)]).toEqual([]);
    expect(await udpAsk(loopback, 'gone?')).toBeUndefined();

    const taken = dgram.createSocket('udp4');
    const busy = await freeLoopbackUdpPort();
    await new Promise<void>((r) => taken.bind(busy, '127.0.0.1', r));
    try {
      const other = (await docker('run', '-d', '-p', `127.0.0.1:${busy}:53/udp`, image, 'sleep', '60')).stdout.trim();
      let log = '';
      for (let i = 0; i < 50 && !log.includes(`${busy}/udp`); i++) {
        log = berth('logs', 'host').stdout;
        if (!log.includes(`${busy}/udp`)) await sleep(200);
      }
      expect(log).toMatch(new RegExp(`port 127\\.0\\.0\\.1:${busy}/udp of container \\w+ is taken on the host`));
      await docker('rm', '-f', other);
    } finally {
      taken.close();
    }
  });

  it('releases the UDP port of a container that stopped while no host process watched, at the next start', async () => {
    const port = await freeLoopbackUdpPort();
    await docker('run', '-d', '-p', `127.0.0.1:${port}:53/udp`, image, 'sleep', '6');
    for (let i = 0; i < 50 && udpBinds(port).length === 0; i++) await sleep(200);
    expect(udpBinds(port)).toEqual([`127.0.0.1:${port}`]);
    // The host process dies hard (its rules stay in QEMU); the container stops while nothing follows events.
    const pids = [...berth('logs', 'host').stdout.matchAll(/host process (\d+) listening/g)];
    process.kill(Number(pids.at(-1)?.[1]), 'SIGKILL');
    await sleep(8000);
    expect(udpBinds(port)).toEqual([`127.0.0.1:${port}`]);
    const res = berth('start');
    expect(res.status, res.stderr).toBe(0);
    for (let i = 0; i < 50 && udpBinds(port).length > 0; i++) await sleep(200);
    expect(udpBinds(port)).toEqual([]);
  });
});
