import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Fetches Debian packages as `.deb` files with apt and unpacks them with `dpkg-deb -x`, never installing anything:
 * apt runs on a source list, package lists, cache and status file of its own (a temp dir), so the machine's apt
 * configuration and its installed packages are untouched (a bookworm machine stays on bookworm while we take a
 * trixie binary). Each package lands in `<cacheDir>/<name>-<upstream>/`, keyed by the upstream version we pin, so a
 * second run only checks that the directory is there. Synchronous on purpose: the test rig resolves binaries from
 * plain getters, and a cache hit is a single stat.
 */

export interface DebianSuite {
  /** For messages and the cache marker, e.g. `trixie`. */
  name: string;
  /** `deb …` lines of the separate source list. */
  sources: string[];
}

export interface PinnedPackage {
  /** Debian binary package name, e.g. `docker-cli`. */
  name: string;
  /** The upstream version we pin, e.g. `26.1.5`: any Debian revision of it is accepted (`26.1.5+dfsg1-9+deb13u1+b1`). */
  upstream: string;
}

export interface UnpackedPackage {
  name: string;
  upstream: string;
  /** The exact Debian version that was unpacked. */
  version: string;
  suite: string;
  /** The `dpkg-deb -x` root: the package's files under it as they would be under `/`. */
  dir: string;
}

const MARKER = '.berth-debian-package.json';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export function debianSourceLine(uri: string, suite: string, component = 'main'): string {
  return `deb [signed-by=${KEYRING}] ${uri} ${suite} ${component}`;
}

export function packageDir(cacheDir: string, pkg: PinnedPackage): string {
  return path.join(cacheDir, `${pkg.name}-${pkg.upstream}`);
}

/** The unpacked package when the cache has it (no network, no apt), else undefined. */
export function cachedPackage(cacheDir: string, pkg: PinnedPackage): UnpackedPackage | undefined {
  const dir = packageDir(cacheDir, pkg);
  try {
    const marker = JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8')) as Omit<UnpackedPackage, 'dir'>;
    return { ...marker, dir };
  } catch {
    return undefined;
  }
}

/**
 * Every package of `pkgs` unpacked in the cache, fetching the missing ones from `suite` with one `apt-get update`.
 * Throws an Error that says what failed and what to do (no apt, no network, the suite moved past the pin).
 */
export interface FetchOptions {
  cacheDir: string;
  log?: (line: string) => void;
  /** More `-o Key=Value` for apt (e.g. `Acquire::Retries=0`). */
  aptOptions?: string[];
}

export function ensureDebianPackages(
  suite: DebianSuite,
  pkgs: PinnedPackage[],
  opts: FetchOptions,
): UnpackedPackage[] {
  const missing = pkgs.filter((p) => !cachedPackage(opts.cacheDir, p));
  if (missing.length > 0) fetchAndUnpack(suite, missing, opts);
  return pkgs.map((p) => cachedPackage(opts.cacheDir, p)!);
}

function fetchAndUnpack(suite: DebianSuite, pkgs: PinnedPackage[], opts: FetchOptions): void {
  for (const tool of ['apt-get', 'apt-cache', 'dpkg-deb']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      throw new Error(`fetching Debian packages (${pkgs.map((p) => p.name).join(', ')}) needs ${tool}: run this on Debian or Ubuntu`);
    }
  }
  if (!existsSync(KEYRING)) {
    throw new Error(`fetching Debian ${suite.name} packages needs ${KEYRING}: install the debian-archive-keyring package`);
  }
  mkdirSync(opts.cacheDir, { recursive: true });
  // A private apt root per fetch: concurrent fetches (parallel test workers) never contend for apt's locks, and
  // the unpacked trees are renamed into place atomically, so the first one to finish wins and the others agree.
  const work = mkdtempSync(path.join(opts.cacheDir, `.apt-${suite.name}-`));
  try {
    const apt = [...aptOptions(work, suite), ...(opts.aptOptions ?? []).flatMap((kv) => ['-o', kv])];
    opts.log?.(`fetching ${pkgs.map((p) => `${p.name} ${p.upstream}`).join(', ')} from Debian ${suite.name}`);
    run('apt-get', [...apt, '-q', 'update'], work, `apt-get update for Debian ${suite.name} (is deb.debian.org reachable?)`);
    const wanted = pkgs.map((p) => ({ pkg: p, version: pickVersion(apt, work, suite, p) }));
    run('apt-get', [...apt, '-q', 'download', ...wanted.map((w) => `${w.pkg.name}=${w.version}`)], work, `apt-get download from Debian ${suite.name}`);
    for (const { pkg, version } of wanted) unpack(work, opts.cacheDir, suite, pkg, version);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function aptOptions(work: string, suite: DebianSuite): string[] {
  for (const d of ['lists/partial', 'cache/archives/partial']) mkdirSync(path.join(work, d), { recursive: true });
  writeFileSync(path.join(work, 'sources.list'), suite.sources.join('\n') + '\n');
  const o = (kv: string) => ['-o', kv];
  return [
    ...o(`Dir::Etc::SourceList=${path.join(work, 'sources.list')}`),
    ...o('Dir::Etc::SourceParts=/dev/null'),
    // The machine's pins (preferences) are about its own suites, not ours.
    ...o('Dir::Etc::Preferences=/dev/null'),
    ...o('Dir::Etc::PreferencesParts=/dev/null'),
    ...o(`Dir::State::Lists=${path.join(work, 'lists')}`),
    ...o(`Dir::Cache=${path.join(work, 'cache')}`),
    ...o('Dir::State::Status=/dev/null'),
    ...o('APT::Architecture=amd64'),
    ...o('Acquire::Languages=none'),
    // A source that cannot be fetched is an error, not a warning followed by "no such package".
    ...o('APT::Update::Error-Mode=any'),
    // As root apt drops to `_apt` for downloads, which cannot write into a root-owned private dir: stay ourselves.
    ...(process.getuid?.() === 0 ? o('APT::Sandbox::User=root') : []),
  ];
}

/** The newest Debian version of `pkg.name` in the suite whose upstream part is the pinned one. */
function pickVersion(apt: string[], work: string, suite: DebianSuite, pkg: PinnedPackage): string {
  const out = run('apt-cache', [...apt, 'madison', pkg.name], work, `apt-cache madison ${pkg.name}`);
  const versions = out
    .split('\n')
    .map((line) => line.split('|')[1]?.trim())
    .filter((v): v is string => !!v);
  if (versions.length === 0) throw new Error(`Debian ${suite.name} has no package ${pkg.name}`);
  const matching = versions.filter((v) => upstreamMatches(v, pkg.upstream));
  if (matching.length === 0) {
    throw new Error(
      `Debian ${suite.name} now offers ${pkg.name} ${versions.join(', ')}, but Berth pins ${pkg.upstream}: ` +
        `update the pin in scripts/src/toolchain/sets.ts (and check the tests against the new version)`,
    );
  }
  return matching.sort(compareDebianVersions).at(-1)!;
}

/** `26.1.5+dfsg1-9+deb13u1+b1` has upstream `26.1.5+dfsg1`, which matches the pin `26.1.5` (repack suffixes aside). */
export function upstreamMatches(debianVersion: string, pin: string): boolean {
  const noEpoch = debianVersion.replace(/^\d+:/, '');
  const dash = noEpoch.lastIndexOf('-');
  const upstream = dash === -1 ? noEpoch : noEpoch.slice(0, dash);
  return upstream === pin || upstream.startsWith(`${pin}+`) || upstream.startsWith(`${pin}~`);
}

function compareDebianVersions(a: string, b: string): number {
  if (a === b) return 0;
  return spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0 ? -1 : 1;
}

function unpack(work: string, cacheDir: string, suite: DebianSuite, pkg: PinnedPackage, version: string): void {
  const deb = readdirSync(work).find((f) => f.startsWith(`${pkg.name}_`) && f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download left no .deb for ${pkg.name} ${version}`);
  const staging = mkdtempSync(path.join(cacheDir, `.unpack-${pkg.name}-`));
  run('dpkg-deb', ['-x', path.join(work, deb), staging], work, `dpkg-deb -x ${deb}`);
  const marker: Omit<UnpackedPackage, 'dir'> = { name: pkg.name, upstream: pkg.upstream, version, suite: suite.name };
  writeFileSync(path.join(staging, MARKER), JSON.stringify(marker, null, 2) + '\n');
  const target = packageDir(cacheDir, pkg);
  try {
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // Another process unpacked it first: theirs is as good as ours.
    if (!cachedPackage(cacheDir, pkg)) throw err;
  }
}

function run(cmd: string, args: string[], cwd: string, what: string): string {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (res.error) throw new Error(`${what}: ${res.error.message}`);
  if (res.status !== 0) {
    const said = (res.stderr || res.stdout).trim().split('\n').slice(-8).join('\n');
    throw new Error(`${what} failed (exit ${res.status}):\n${said}`);
  }
  return res.stdout;
}
