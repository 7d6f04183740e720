// The optional /usr/local/bin links (`berth host-tools link-system`), in a temporary prefix standing in for it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { berthPaths, type BerthPaths } from '../paths.js';
import { readHostChanges } from './host-changes.js';
import { undoHostTools } from './host-tools.js';
import { invokingUserEnv, linkSystemTools, unlinkSystemTools } from './system-links.js';

const BERTH_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/berth');

function program(file: string, says: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\necho '${says}'\n`);
  chmodSync(file, 0o755);
}

describe('links in a system bin dir, only when asked', () => {
  let root: string;
  let prefix: string;
  let tools: string;
  let paths: BerthPaths;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-syslinks-'));
    prefix = path.join(root, 'usr-local-bin');
    mkdirSync(prefix);
    tools = path.join(root, 'app', 'tools');
    program(path.join(tools, 'bin', 'docker'), "Docker version 26.1.5 (Berth's)");
    program(path.join(tools, 'bin', 'docker-credential-berth'), 'docker-credential-berth 0.1.0');
    program(path.join(tools, 'cli-plugins', 'docker-compose'), 'compose');
    paths = berthPaths({ BERTH_HOME: path.join(root, 'berth') });
    mkdirSync(paths.home);
    env = { ...process.env, BERTH_HOME: paths.home, BERTH_TOOLS_DIR: tools };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('links docker and the credential helper (not the plugins), records them, and keeps them on a second run', () => {
    const out = linkSystemTools({ paths, dir: prefix, env });
    expect(out.map((o) => `${o.name}:${o.state}`)).toEqual(['docker:linked', 'docker-credential-berth:linked']);
    expect(readlinkSync(path.join(prefix, 'docker'))).toBe(path.join(tools, 'bin', 'docker'));
    expect(existsSync(path.join(prefix, 'docker-compose'))).toBe(false);
    expect(readHostChanges(paths.hostChanges).links).toEqual([
      { path: path.join(prefix, 'docker'), target: path.join(tools, 'bin', 'docker') },
      { path: path.join(prefix, 'docker-credential-berth'), target: path.join(tools, 'bin', 'docker-credential-berth') },
    ]);
    expect(linkSystemTools({ paths, dir: prefix, env }).map((o) => o.state)).toEqual(['kept', 'kept']);
    expect(readHostChanges(paths.hostChanges).links).toHaveLength(2);
  });

  it("never replaces the user's own docker or someone else's link, and says what they are", () => {
    program(path.join(prefix, 'docker'), 'Docker version 28.0.0, build abc');
    symlinkSync('/opt/other/docker-credential-berth', path.join(prefix, 'docker-credential-berth'));
    const out = linkSystemTools({ paths, dir: prefix, env });
    expect(out).toEqual([
      { name: 'docker', path: path.join(prefix, 'docker'), state: 'foreign', what: 'your own (Docker version 28.0.0, build abc)' },
      { name: 'docker-credential-berth', path: path.join(prefix, 'docker-credential-berth'), state: 'foreign', what: 'a link to /opt/other/docker-credential-berth' },
    ]);
    expect(readFileSync(path.join(prefix, 'docker'), 'utf8')).toContain('28.0.0');
    expect(readlinkSync(path.join(prefix, 'docker-credential-berth'))).toBe('/opt/other/docker-credential-berth');
    expect(readHostChanges(paths.hostChanges).links).toEqual([]);
  });

  it('moves its own recorded link to where the app is now', () => {
    linkSystemTools({ paths, dir: prefix, env });
    const moved = path.join(root, 'app2', 'tools');
    program(path.join(moved, 'bin', 'docker'), 'docker');
    program(path.join(moved, 'bin', 'docker-credential-berth'), 'helper');
    const out = linkSystemTools({ paths, dir: prefix, env: { ...env, BERTH_TOOLS_DIR: moved } });
    expect(out.map((o) => o.state)).toEqual(['linked', 'linked']);
    expect(readlinkSync(path.join(prefix, 'docker'))).toBe(path.join(moved, 'bin', 'docker'));
    expect(readHostChanges(paths.hostChanges).links.map((l) => l.target)).toEqual([path.join(moved, 'bin', 'docker'), path.join(moved, 'bin', 'docker-credential-berth')]);
  });

  it('uninstall removes exactly the links it made: not a foreign file, not a link the user re-pointed', () => {
    program(path.join(prefix, 'docker'), 'Docker version 28.0.0');
    linkSystemTools({ paths, dir: prefix, env });
    // The helper link was Berth's; the user points it elsewhere afterwards.
    const helper = path.join(prefix, 'docker-credential-berth');
    expect(lstatSync(helper).isSymbolicLink()).toBe(true);
    const other = path.join(prefix, 'other');
    program(other, 'x');
    const linked = path.join(root, 'linked-by-berth');
    symlinkSync(path.join(tools, 'bin', 'docker'), linked);
    // A second Berth link elsewhere, recorded, still Berth's.
    const recorded = readHostChanges(paths.hostChanges);
    writeFileSync(paths.hostChanges, JSON.stringify({ ...recorded, links: [...recorded.links, { path: linked, target: path.join(tools, 'bin', 'docker') }] }));
    rmSync(helper);
    symlinkSync(other, helper);

    const undone = undoHostTools(paths, [], { ...env, DOCKER_CONFIG: path.join(root, 'docker-config') });
    expect(undone.links).toEqual([linked]);
    expect(undone.failed).toEqual([]);
    expect(readFileSync(path.join(prefix, 'docker'), 'utf8')).toContain('28.0.0');
    expect(readlinkSync(helper)).toBe(other);
    expect(existsSync(linked)).toBe(false);
  });

  it('unlink-system removes its links in that dir and forgets them', () => {
    linkSystemTools({ paths, dir: prefix, env });
    expect(unlinkSystemTools({ paths, dir: prefix, env })).toEqual({ removed: [path.join(prefix, 'docker'), path.join(prefix, 'docker-credential-berth')], left: [] });
    expect(existsSync(path.join(prefix, 'docker'))).toBe(false);
    expect(readHostChanges(paths.hostChanges).links).toEqual([]);
  });

  it('berth host-tools link-system and unlink-system print what they did; a wrong verb is a usage error', () => {
    const res = spawnSync(BERTH_BIN, ['host-tools', 'link-system', '--dir', prefix], { env, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toBe(`Linked in ${prefix}: docker, docker-credential-berth (berth uninstall or berth host-tools unlink-system removes them)\n`);
    const un = spawnSync(BERTH_BIN, ['host-tools', 'unlink-system', '--dir', prefix], { env, encoding: 'utf8' });
    expect(un.stdout).toBe(`Removed ${path.join(prefix, 'docker')}, ${path.join(prefix, 'docker-credential-berth')}\n`);
    expect(spawnSync(BERTH_BIN, ['host-tools', 'nonsense'], { env, encoding: 'utf8' }).status).toBe(2);
  });

  // Root may write anywhere, so "not writable" needs an unprivileged user: `nobody`, through setpriv.
  const asNobody = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
  it.skipIf(!asNobody)('a dir the user may not write: a clear error naming sudo, and nothing recorded (needs root + setpriv to run as nobody)', () => {
    chmodSync(root, 0o755);
    chmodSync(prefix, 0o755);
    for (const d of [paths.home, tools]) spawnSync('chmod', ['-R', 'a+rwX', d]);
    const res = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', BERTH_BIN, 'host-tools', 'link-system', '--dir', prefix], { env: { ...env, HOME: '/nonexistent' }, encoding: 'utf8' });
    expect(res.stderr).toBe(`berth host-tools: cannot write to ${prefix} (EACCES): Berth links its tools there only when asked by someone who may, e.g. \`sudo berth host-tools link-system\`\n`);
    expect(res.status).toBe(1);
    expect(existsSync(path.join(prefix, 'docker'))).toBe(false);
    expect(existsSync(paths.hostChanges)).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)('under sudo, the record goes to the invoking user\'s ~/.berth (needs root)', () => {
    const nobodyHome = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))!.split(':')[5]!;
    expect(invokingUserEnv({ SUDO_USER: 'nobody' }).BERTH_HOME).toBe(path.join(nobodyHome, '.berth'));
    expect(invokingUserEnv({ SUDO_USER: 'nobody', BERTH_HOME: '/x' }).BERTH_HOME).toBe('/x');
  });
});
