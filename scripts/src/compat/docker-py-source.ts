/**
 * Where docker-py's own integration tests come from. Nothing of docker-py is in this repository: its `tests/` tree
 * at tag 5.0.3 (the version Debian bookworm ships as python3-docker) is copied into `.cache/compat/` from
 *   1. `--docker-py PATH`: a git clone or mirror of docker/docker-py (the tag is read with `git archive`), or an
 *      unpacked 5.0.3 source tree; or
 *   2. Debian's source package `python-docker` 5.0.3, fetched with `apt-get source --download-only` on a private
 *      `deb-src` list and state (the machine's apt setup is untouched).
 * Only `tests/` is copied, never the `docker/` package beside them: pytest puts the tree's root
 * on sys.path, and the library under test must be Debian's python3-docker, as users have it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../testrig/paths.js';

export const DOCKER_PY_TAG = '5.0.3';
const DEBIAN_SOURCE = { name: 'python-docker', version: `${DOCKER_PY_TAG}-1`, suite: 'bookworm' };
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const MARKER = '.berth-docker-py-tests';

export const suiteCacheDir = path.join(repoRoot, '.cache', 'compat', `docker-py-${DOCKER_PY_TAG}`);

/** The directory holding `tests/integration`, fetching them first when the cache lacks them. */
export function ensureDockerPyTests(from: string | undefined, log: (line: string) => void): string {
  if (!from && existsSync(path.join(suiteCacheDir, MARKER))) return suiteCacheDir;
  mkdirSync(path.dirname(suiteCacheDir), { recursive: true });
  const work = mkdtempSync(`${suiteCacheDir}.tmp-`);
  try {
    const tree = path.join(work, 'tree');
    mkdirSync(tree);
    let origin: string;
    if (from) origin = copyFrom(path.resolve(from), tree);
    else {
      try {
        origin = fromDebianSource(work, tree, log);
      } catch (err) {
        throw new Error(
          `docker-py ${DOCKER_PY_TAG}'s tests are not cached and Debian's source package could not be fetched:\n` +
            `${(err as Error).message}\n` +
            `Pass --docker-py PATH: a git clone of docker/docker-py (tag ${DOCKER_PY_TAG} is read from it) or an unpacked ` +
            `docker-py ${DOCKER_PY_TAG} source tree.`,
          { cause: err },
        );
      }
    }
    if (!existsSync(path.join(tree, 'tests', 'integration', 'conftest.py'))) throw new Error(`${origin} has no tests/integration/conftest.py`);
    writeFileSync(path.join(tree, MARKER), `${origin}\n`);
    rmSync(suiteCacheDir, { recursive: true, force: true });
    renameSync(tree, suiteCacheDir);
    log(`docker-py ${DOCKER_PY_TAG} tests from ${origin} in ${suiteCacheDir}`);
    return suiteCacheDir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function copyFrom(src: string, tree: string): string {
  const git = spawnSync('git', ['--git-dir', gitDirOf(src), 'rev-parse', '--verify', `refs/tags/${DOCKER_PY_TAG}^{commit}`], { encoding: 'utf8' });
  if (git.status === 0) {
    const archive = spawnSync('sh', ['-c', 'git --git-dir "$1" archive --format=tar "$2" tests | tar -x -C "$3"', 'sh', gitDirOf(src), DOCKER_PY_TAG, tree]);
    if (archive.status !== 0) throw new Error(`git archive ${DOCKER_PY_TAG} of ${src} failed: ${archive.stderr.toString().trim()}`);
    return `${src} (git tag ${DOCKER_PY_TAG}, ${git.stdout.trim().slice(0, 12)})`;
  }
  if (!existsSync(path.join(src, 'tests', 'integration'))) {
    throw new Error(`--docker-py ${src}: neither a git repository with tag ${DOCKER_PY_TAG} nor a source tree with tests/integration`);
  }
  run('cp', ['-a', path.join(src, 'tests'), path.join(tree, 'tests')], `copying ${src}/tests`);
  return `${src} (source tree)`;
}

/** A clone keeps its objects in `.git`; a mirror (bare) is the git dir itself. */
function gitDirOf(src: string): string {
  return existsSync(path.join(src, '.git')) ? path.join(src, '.git') : src;
}

function fromDebianSource(work: string, tree: string, log: (line: string) => void): string {
  if (!existsSync(KEYRING)) throw new Error(`needs ${KEYRING} (the debian-archive-keyring package)`);
  const state = path.join(work, 'apt');
  for (const d of ['lists/partial', 'cache/archives/partial']) mkdirSync(path.join(state, d), { recursive: true });
  writeFileSync(path.join(state, 'sources.list'), `deb-src [signed-by=${KEYRING}] http://deb.debian.org/debian ${DEBIAN_SOURCE.suite} main\n`);
  const apt = [
    `Dir::Etc::SourceList=${path.join(state, 'sources.list')}`,
    'Dir::Etc::SourceParts=/dev/null',
    `Dir::State::Lists=${path.join(state, 'lists')}`,
    `Dir::Cache=${path.join(state, 'cache')}`,
    'Dir::State::Status=/dev/null',
    'APT::Update::Error-Mode=any',
    ...(process.getuid?.() === 0 ? ['APT::Sandbox::User=root'] : []),
  ].flatMap((kv) => ['-o', kv]);
  log(`fetching Debian's source package ${DEBIAN_SOURCE.name} ${DEBIAN_SOURCE.version} (deb-src ${DEBIAN_SOURCE.suite})`);
  const dl = path.join(work, 'src');
  mkdirSync(dl);
  run('apt-get', [...apt, '-q', 'update'], `apt-get update (deb-src ${DEBIAN_SOURCE.suite})`, work);
  run('apt-get', [...apt, '-q', 'source', '--download-only', `${DEBIAN_SOURCE.name}=${DEBIAN_SOURCE.version}`], 'apt-get source', dl);
  const orig = readdirSync(dl).find((f) => /\.orig\.tar\.(gz|xz|bz2)$/.test(f));
  if (!orig) throw new Error(`apt-get source left no .orig tarball in ${dl}`);
  // The upstream tarball has one top directory (docker-5.0.3/); take its tests/ only (the runner passes pytest.ini's
  // few options itself).
  run('tar', ['-x', '-f', path.join(dl, orig), '-C', tree, '--strip-components=1', '--wildcards', '*/tests/*'], `unpacking ${orig}`);
  return `Debian source package ${DEBIAN_SOURCE.name} ${DEBIAN_SOURCE.version} (${orig})`;
}

function run(cmd: string, args: string[], what: string, cwd?: string): string {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (res.error) throw new Error(`${what}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${what} failed (exit ${res.status}): ${(res.stderr || res.stdout).trim().split('\n').slice(-4).join('\n')}`);
  return res.stdout;
}
