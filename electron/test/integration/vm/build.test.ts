import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDockerBinary, type TestRegistry } from '../../../../scripts/src/testrig/index.js';
import { buildCli, ensureImage, hostRegistryForVm, repoRoot, vmTestsMissing } from './vm-image.js';

const missing = vmTestsMissing({ dockerClient: true });
if (missing) console.log(`skipping VM build tests: ${missing}`);

interface Result {
  code: number;
  out: string;
}

/** Writes a build context: relative path → content. */
function writeContext(dir: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

// Issue 13's "through the VM": the docker CLI on the host, with the buildx and Compose plugins `berth start` made
// visible through cliPluginsExtraDirs, builds against berthd in the VM. The context, the secret and the build's
// progress travel over BuildKit's `/session` and `/grpc` upgrades through the host socket and the SSH tunnel.
describe.skipIf(missing !== undefined)('BuildKit builds in the VM through the berth context', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-vmbuild-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker'), DOCKER_CLI_HINTS: 'false' };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_BUILDKIT']) delete env[k];
  const berth = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'bin', 'berth'), ...args], { env, encoding: 'utf8', timeout: 400_000 });
  /** The docker CLI with no engine flag: `berth start` made its context current. Never throws on a non-zero exit. */
  const docker = (args: string[], cwd = home): Promise<Result> =>
    new Promise((resolve, reject) => {
      const child = spawn(bundledDockerBinary(), args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 128, out });
      });
    });
  const ok = async (args: string[], cwd?: string): Promise<string> => {
    const r = await docker(args, cwd);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.out}`);
    return r.out;
  };
  let registry: TestRegistry;
  let base: string;

  beforeAll(async () => {
    ensureImage();
    buildCli();
    ({ registry, image: base } = await hostRegistryForVm(env.BERTH_HOME!));
    const res = berth('start');
    if (res.status !== 0) throw new Error(`berth start failed (${res.status}): ${res.stderr}`);
  }, 600_000);

  afterAll(async () => {
    console.log(`--- berthd log (VM) ---\n${berth('logs', 'engine', '-n', '40').stdout}`);
    berth('stop');
    await registry?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('berth start made its context current: plain `docker` with no flag or DOCKER_HOST reaches the VM', async () => {
    expect((await ok(['context', 'show'])).trim()).toBe('berth');
    expect((await ok(['info', '--format', '{{.Name}} {{.CgroupVersion}}'])).trim()).toMatch(/ 2$/);
  });

  it('docker build (BuildKit): context less .dockerignore, a secret kept out of the image, --iidfile, plain progress', async () => {
    const ctx = writeContext(path.join(home, 'app'), {
      'Dockerfile': [`FROM ${base}`, 'COPY . /ctx/', 'RUN --mount=type=secret,id=tok echo secret-len=$(wc -c < /run/secrets/tok) && ls /ctx > /listing', ''].join('\n'),
      'hello.txt': 'hello from the host\n',
      'sub/deep.txt': 'deep\n',
      'private.key': 'must not reach the VM\n',
      '.dockerignore': 'private.key\n',
    });
    const secret = path.join(home, 'tok.txt');
    writeFileSync(secret, 'vm-secret-17-bytes');
    const iid = path.join(home, 'iid.txt');
    const out = await ok(['build', '--progress=plain', '--secret', `id=tok,src=${secret}`, '--iidfile', iid, '-t', 'vm-bk:1', ctx]);
    // BuildKit's progress, not the classic builder's "Step 1/3".
    expect(out).toContain('[internal] load build definition from Dockerfile');
    expect(out).toMatch(/secret-len=18\b/);
    expect(out).toMatch(/naming to docker\.io\/library\/vm-bk:1/);
    expect(out).not.toContain('Step 1/');
    const id = readFileSync(iid, 'utf8').trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await ok(['image', 'inspect', '--format', '{{.Id}}', 'vm-bk:1'])).trim()).toBe(id);
    expect(await ok(['run', '--rm', 'vm-bk:1', 'sh', '-c', 'cat /ctx/hello.txt /ctx/sub/deep.txt; cat /listing; ls /ctx/private.key /run/secrets/tok 2>&1 | grep -c "No such file"'])).toBe(
      'hello from the host\ndeep\nDockerfile\nhello.txt\nsub\n2\n',
    );
    const history = await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'vm-bk:1']);
    expect(history).not.toContain('vm-secret');
  });

  it('a cached rebuild says CACHED and gives the same image', async () => {
    const ctx = path.join(home, 'app');
    const secret = path.join(home, 'tok.txt');
    const first = (await ok(['image', 'inspect', '--format', '{{.Id}}', 'vm-bk:1'])).trim();
    const out = await ok(['build', '--progress=plain', '--secret', `id=tok,src=${secret}`, '-t', 'vm-bk:1', ctx]);
    expect(out).toMatch(/#\d+ CACHED/);
    expect((await ok(['image', 'inspect', '--format', '{{.Id}}', 'vm-bk:1'])).trim()).toBe(first);
  });

  it('a failing RUN fails the build with the exit code, as dockerd does', async () => {
    const ctx = writeContext(path.join(home, 'bad'), { 'Dockerfile': `FROM ${base}\nRUN echo about-to-fail && exit 3\n` });
    const r = await docker(['build', '--progress=plain', ctx]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('about-to-fail');
    expect(r.out).toMatch(/ERROR: failed to solve: process "\/bin\/sh -c echo about-to-fail && exit 3" did not complete successfully: exit code: 3/);
  });

  it('docker compose build and up --build build the service image in the VM', async () => {
    const dir = writeContext(path.join(home, 'proj'), {
      'compose.yaml': ['services:', '  web:', '    build: ./web', '    image: vm-compose-web:latest', '    command: cat /greeting', ''].join('\n'),
      'web/Dockerfile': `FROM ${base}\nARG WHO=compose\nRUN echo "built by \${WHO}" > /greeting\n`,
    });
    await ok(['compose', 'build'], dir);
    expect(await ok(['run', '--rm', 'vm-compose-web:latest', 'cat', '/greeting'])).toBe('built by compose\n');
    const up = await ok(['compose', 'up', '--build', '--abort-on-container-exit'], dir);
    expect(up).toContain('built by compose');
    await ok(['compose', 'down'], dir);
  });
});
