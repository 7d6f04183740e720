/**
 * docker-py's own integration suite (tag 5.0.3, unmodified, with Debian's python3-docker) run against the peer
 * dockerd 20.10 and against a berthd of this checkout, side by side, and the per-test differences printed.
 * Opt-in and slow (each run is several minutes on two cores): `npm run compat:docker-py -- --help`.
 *
 * Docker Hub is out of reach, so both daemons get the rig's registry as their Docker Hub mirror, loaded with the
 * rig's busybox under every name the suite pulls. The exit status is 0 only when every test that passes on dockerd
 * passes on berthd in every berthd run (apart from the known differences, each with its reason) and berthd is
 * still running at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBerthd, berthdIsBuilt, BERTHD_ENTRY, type RunningBerthd } from '../testrig/berthd.js';
import { startDockerd, type RunningDockerd } from '../testrig/dockerd.js';
import { ImageBuilder } from '../testrig/images/builder.js';
import { busyboxRootfs } from '../testrig/images/busybox-rootfs.js';
import { DEFAULT_PATH } from '../testrig/images/catalog.js';
import { pushImage } from '../testrig/images/push.js';
import { repoRoot } from '../testrig/paths.js';
import type { RegistryEndpoint } from '../testrig/images/push.js';
import { startRegistry } from '../testrig/registry.js';
import { DOCKER_PY_TAG, ensureDockerPyTests } from './docker-py-source.js';
import { compareRuns, formatComparison, type DaemonRun } from './compare.js';

const PYTHON = '/usr/bin/python3';
/** Every Docker Hub name the suite pulls or builds FROM; each is the rig's busybox here. */
const SUITE_IMAGES = ['library/alpine:3.10', 'library/alpine:latest', 'library/busybox:latest', 'library/hello-world:latest'];
/** The peer dockerd's API version: both daemons are driven at it (the suite's DOCKER_TEST_API_VERSION) by default. */
const PEER_API_VERSION = '1.41';
const RUN_TIMEOUT_MS = 60 * 60_000;

const USAGE = `usage: npm run compat:docker-py -- [--docker-py PATH] [--runs N] [--only berthd|dockerd] [-k EXPR] [--out DIR]

Runs docker-py ${DOCKER_PY_TAG}'s integration suite (unmodified; Debian's ${PYTHON} with python3-docker ${DOCKER_PY_TAG},
python3-pytest, python3-paramiko) once against the peer dockerd 20.10 and N times (default 1) against one berthd
of this checkout, and prints which tests pass on one and not the other.

  --docker-py PATH  a git clone of docker/docker-py (tag ${DOCKER_PY_TAG} is read from it) or an unpacked source
                    tree; without it the tests come from .cache/compat/, else Debian's source package (deb-src).
  --runs N          berthd runs in a row, on the same daemon (a crash or a flaky test shows up)
  --only D          run on one daemon only (no comparison)
  --reference DIR   take dockerd's results from an earlier run's output dir instead of running it again
  --api-version V   the API version docker-py speaks to both (default ${PEER_API_VERSION}, the peer's; "auto" negotiates)
  -k EXPR           pytest's -k, to run a few tests
  --out DIR         where pytest's output and JUnit files go (default .cache/compat/runs/<time>)`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'docker-py': { type: 'string' },
      runs: { type: 'string', default: '1' },
      only: { type: 'string' },
      reference: { type: 'string' },
      'api-version': { type: 'string', default: PEER_API_VERSION },
      k: { type: 'string', short: 'k' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  if (values.only && values.only !== 'berthd' && values.only !== 'dockerd') throw new Error('--only takes berthd or dockerd');
  if (values.only !== 'dockerd' && !berthdIsBuilt()) throw new Error(`berthd is not built (${BERTHD_ENTRY}): run \`npx tsc -b engine\``);
  checkPython();
  const log = (line: string) => process.stderr.write(`[docker-py] ${line}\n`);
  const suiteDir = ensureDockerPyTests(values['docker-py'], log);
  const outDir = path.resolve(values.out ?? path.join(repoRoot, '.cache', 'compat', 'runs', new Date().toISOString().replace(/[:.]/g, '-')));
  await mkdir(outDir, { recursive: true });
  log(`output in ${outDir}`);

  const registry = await startRegistry();
  try {
    await pushSuiteImages(registry);
    const daemonJson = { 'registry-mirrors': [registry.url], 'insecure-registries': [registry.host] };
    const apiVersion = values['api-version'] === 'auto' ? undefined : values['api-version'];
    const pytest = { suiteDir, outDir, k: values.k, apiVersion, log };

    let dockerd: DaemonRun | undefined;
    if (values.only !== 'berthd' && !values.reference) {
      const d = await startDockerd({ daemonJson });
      try {
        dockerd = await runSuite('dockerd', d, pytest);
      } finally {
        await keepLog(d, path.join(outDir, 'dockerd.log'));
        await d.stop();
      }
    }
    const berthd: DaemonRun[] = [];
    let crashed: string | undefined;
    if (values.only !== 'dockerd') {
      const b = await startBerthd({ daemonJson, logLevel: 'info' });
      try {
        for (let i = 1; i <= runs && !crashed; i++) {
          berthd.push(await runSuite(runs > 1 ? `berthd-${i}` : 'berthd', b, pytest));
          if (!isAlive(b.pid)) crashed = `berthd (pid ${b.pid}) is gone after run ${i}: see ${path.join(outDir, 'berthd.log')}`;
        }
      } finally {
        await keepLog(b, path.join(outDir, 'berthd.log'));
        await b.stop();
      }
    }
    if (values.reference) {
      // Read after berthd's runs, so a reference run still going alongside can be named.
      const ref = path.resolve(values.reference);
      dockerd = { label: 'dockerd', version: `(from ${ref})`, xml: await readFile(path.join(ref, 'dockerd.xml'), 'utf8') };
    }
    const comparison = compareRuns(dockerd, berthd);
    console.log(formatComparison(comparison));
    if (crashed) console.log(`\nCRASH: ${crashed}`);
    return crashed || comparison.unexplained > 0 ? 1 : 0;
  } finally {
    await registry.stop();
  }
}

interface PytestSetup {
  suiteDir: string;
  outDir: string;
  k: string | undefined;
  apiVersion: string | undefined;
  log: (line: string) => void;
}

/**
 * Busybox under each name, each a distinct image (its own config, the same layer): the suite removes and prunes
 * images by ID, which would take every name with it if they were one image.
 */
async function pushSuiteImages(registry: RegistryEndpoint): Promise<void> {
  const builder = new ImageBuilder();
  const layers = [{ entries: busyboxRootfs(), compression: 'gzip' as const }];
  for (const name of SUITE_IMAGES) {
    const image = await builder.image({
      format: 'docker',
      platform: { architecture: 'amd64', os: 'linux' },
      layers,
      config: { Env: [DEFAULT_PATH], Cmd: ['sh'] },
      history: [{ created_by: `berth docker-py suite: busybox as ${name}` }],
    });
    await pushImage(registry, image, name, { blobs: builder.blobs });
  }
}

async function runSuite(label: string, daemon: RunningDockerd | RunningBerthd, setup: PytestSetup): Promise<DaemonRun> {
  const version = await engineVersion(daemon.dockerHost);
  const junit = path.join(setup.outDir, `${label}.xml`);
  const outFile = path.join(setup.outDir, `${label}.out`);
  // A HOME of its own: the suite reads ~/.docker/config.json and the credential tests write there. docker-py keeps
  // contexts beside that file, or in ./contexts when there is none, so an empty one keeps them out of the suite dir
  // (a context test leaves one behind, which the next run would trip over).
  const home = await mkdtemp(path.join(os.tmpdir(), 'docker-py-home-'));
  await mkdir(path.join(home, '.docker'));
  await writeFile(path.join(home, '.docker', 'config.json'), '{}');
  await rm(path.join(setup.suiteDir, 'contexts'), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    DOCKER_HOST: daemon.dockerHost,
    PYTHONDONTWRITEBYTECODE: '1',
    ...(setup.apiVersion ? { DOCKER_TEST_API_VERSION: setup.apiVersion } : {}),
    // The suite turns every warning into an error, and docker-py 5.0.3 compares versions with distutils'
    // StrictVersion, which bookworm's setuptools shim deprecates with a warning: use Python 3.11's own distutils,
    // which does not warn, as docker-py 5.0.3 did when it was released.
    SETUPTOOLS_USE_DISTUTILS: 'stdlib',
  };
  const args = [
    '-m', 'pytest', '-p', 'no:cacheprovider', '--rootdir', setup.suiteDir,
    '-o', 'junit_family=xunit2', '-o', 'junit_suite_name=docker-py', '--tb=short', '-rfEs',
    `--junitxml=${junit}`, ...(setup.k ? ['-k', setup.k] : []), 'tests/integration',
  ];
  setup.log(`${label}: ${version} at ${daemon.dockerHost}; pytest output in ${outFile}`);
  const started = Date.now();
  const out = await open(outFile, 'w');
  try {
    const child = spawn(PYTHON, args, { cwd: setup.suiteDir, env, stdio: ['ignore', out.fd, out.fd] });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', () => resolve());
    }).finally(() => clearTimeout(timer));
  } finally {
    await out.close();
    await rm(home, { recursive: true, force: true });
  }
  if (!existsSync(junit)) throw new Error(`${label}: pytest wrote no ${junit}; its output:\n${(await readFile(outFile, 'utf8')).slice(-3000)}`);
  const xml = await readFile(junit, 'utf8');
  const summary = (await readFile(outFile, 'utf8')).trim().split('\n').at(-1) ?? '';
  setup.log(`${label}: ${summary} (${Math.round((Date.now() - started) / 1000)} s)`);
  return { label, version, xml };
}

async function engineVersion(dockerHost: string): Promise<string> {
  const res = spawnSync(PYTHON, ['-c', 'import docker,sys; c=docker.APIClient(base_url=sys.argv[1], version="auto"); print(c.version()["Version"])', dockerHost], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : 'unknown version';
}

function checkPython(): void {
  const res = spawnSync(PYTHON, ['-c', 'import docker, pytest, paramiko; print(docker.__version__)'], { encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`${PYTHON} cannot import docker, pytest and paramiko: apt-get install python3-docker python3-pytest python3-paramiko\n${res.stderr.trim()}`);
  }
  if (res.stdout.trim() !== DOCKER_PY_TAG) throw new Error(`${PYTHON} has docker-py ${res.stdout.trim()}, the suite is ${DOCKER_PY_TAG}'s (Debian bookworm's python3-docker)`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function keepLog(d: { logs(): Promise<string> }, file: string): Promise<void> {
  await writeFile(file, await d.logs()).catch(() => undefined);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`docker-py suite: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

