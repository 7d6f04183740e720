import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBundledTools } from './bundled-tools.js';
import { compareVersions } from './plugin-version.js';
import { cmdShim, linkBundledTools, linkIntoSystemDir, removeLinkIfOurs } from './tool-links.js';

/** A CLI plugin as the docker CLI sees one: answers docker-cli-plugin-metadata. */
function fakePlugin(file: string, version: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n[ "$1" = docker-cli-plugin-metadata ] && echo '{"SchemaVersion":"0.1.0","Vendor":"t","Version":"${version}"}'\n`);
  chmodSync(file, 0o755);
}

describe('links to the bundled tools', () => {
  let root: string;
  let tools: string;
  let dirs: { bin: string; cliPlugins: string };
  let dockerDir: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-links-'));
    tools = path.join(root, 'tools');
    for (const b of ['docker', 'docker-credential-berth']) fakePlugin(path.join(tools, 'bin', b), '0');
    fakePlugin(path.join(tools, 'cli-plugins', 'docker-compose'), '2.26.1');
    fakePlugin(path.join(tools, 'cli-plugins', 'docker-buildx'), 'v0.13.1');
    dirs = { bin: path.join(root, 'berth', 'bin'), cliPlugins: path.join(root, 'berth', 'cli-plugins') };
    dockerDir = path.join(root, 'docker');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('links every tool into ~/.berth/bin and ~/.berth/cli-plugins, and keeps them on the next start', () => {
    const list = listBundledTools(tools);
    expect(list.map((t) => `${t.kind}:${t.name}`)).toEqual(['bin:docker', 'bin:docker-credential-berth', 'plugin:docker-buildx', 'plugin:docker-compose']);
    expect(linkBundledTools(list, dirs, dockerDir).map((o) => o.state)).toEqual(['linked', 'linked', 'linked', 'linked']);
    expect(readlinkSync(path.join(dirs.cliPlugins, 'docker-compose'))).toBe(path.join(tools, 'cli-plugins', 'docker-compose'));
    expect(linkBundledTools(list, dirs, dockerDir).map((o) => o.state)).toEqual(['kept', 'kept', 'kept', 'kept']);
  });

  it("lets a user's newer plugin win and never touches the user's own files", () => {
    fakePlugin(path.join(dockerDir, 'cli-plugins', 'docker-compose'), 'v2.30.0');
    fakePlugin(path.join(dockerDir, 'cli-plugins', 'docker-buildx'), '0.12.0');
    const out = linkBundledTools(listBundledTools(tools), dirs, dockerDir);
    expect(out.find((o) => o.name === 'docker-compose')).toMatchObject({ state: 'user-newer', version: 'v2.30.0' });
    expect(out.find((o) => o.name === 'docker-buildx')).toMatchObject({ state: 'linked' });
    expect(existsSync(path.join(dirs.cliPlugins, 'docker-compose'))).toBe(false);
  });

  it('runs no plugin to learn its version when the user has no copy of it (a Go plugin run costs start time)', () => {
    // A name no system plugin dir has, so the check does not depend on what this machine has installed.
    const ran = path.join(root, 'ran');
    const plugin = path.join(tools, 'cli-plugins', 'docker-berthcheck');
    writeFileSync(plugin, `#!/bin/sh\necho run >> ${ran}\necho '{"Version":"1.0.0"}'\n`);
    chmodSync(plugin, 0o755);
    const out = linkBundledTools(listBundledTools(tools), dirs, dockerDir);
    expect(out.find((o) => o.name === 'docker-berthcheck')).toMatchObject({ state: 'linked' });
    expect(existsSync(ran)).toBe(false);
    fakePlugin(path.join(dockerDir, 'cli-plugins', 'docker-berthcheck'), '0.9.0');
    expect(linkBundledTools(listBundledTools(tools), dirs, dockerDir).find((o) => o.name === 'docker-berthcheck')).toMatchObject({ state: 'kept' });
    expect(readFileSync(ran, 'utf8')).toBe('run\n');
  });

  it('offers system-dir links only where nothing else is, and removes only its own', () => {
    const sys = path.join(root, 'usr-local-bin');
    fakePlugin(path.join(sys, 'docker'), '28.0.0'); // the user's own docker
    const out = linkIntoSystemDir(listBundledTools(tools), sys);
    expect(out.map((o) => `${o.name}:${o.state}`)).toEqual(['docker:taken', 'docker-credential-berth:linked']);
    expect(lstatSync(path.join(sys, 'docker')).isSymbolicLink()).toBe(false);
    expect(removeLinkIfOurs(path.join(sys, 'docker'), path.join(tools, 'bin', 'docker'))).toBe(false);
    expect(removeLinkIfOurs(path.join(sys, 'docker-credential-berth'), path.join(tools, 'bin', 'docker-credential-berth'))).toBe(true);
  });

  it('puts a one-line shim calling a .cmd by its full path (a copy would lose %~dp0), keeps it, and removes only its own', () => {
    const cmd = path.join(tools, 'bin', 'docker-credential-berth.cmd');
    writeFileSync(cmd, '@echo off\r\n');
    const shim = path.join(dirs.bin, 'docker-credential-berth.cmd');
    const first = linkBundledTools(listBundledTools(tools), dirs, dockerDir).find((o) => o.name === 'docker-credential-berth.cmd');
    expect(first).toMatchObject({ state: 'linked' });
    expect(readFileSync(shim, 'utf8')).toBe(`@"${cmd}" %*\r\n`);
    expect(cmdShim(cmd)).toBe(`@"${cmd}" %*\r\n`);
    expect(linkBundledTools(listBundledTools(tools), dirs, dockerDir).find((o) => o.name === 'docker-credential-berth.cmd')).toMatchObject({ state: 'kept' });
    // The app moved: Berth's own shim is replaced; a user's own .cmd there is not.
    const moved = path.join(root, 'tools2');
    mkdirSync(path.join(moved, 'bin'), { recursive: true });
    writeFileSync(path.join(moved, 'bin', 'docker-credential-berth.cmd'), '@echo off\r\n');
    expect(linkBundledTools(listBundledTools(moved), dirs, dockerDir)[0]).toMatchObject({ state: 'linked' });
    expect(readFileSync(shim, 'utf8')).toBe(cmdShim(path.join(moved, 'bin', 'docker-credential-berth.cmd')));
    writeFileSync(shim, '@echo my own\r\n');
    expect(linkBundledTools(listBundledTools(moved), dirs, dockerDir)[0]).toMatchObject({ state: 'taken' });
    expect(removeLinkIfOurs(shim, path.join(moved, 'bin', 'docker-credential-berth.cmd'))).toBe(false);
    writeFileSync(shim, cmdShim(cmd));
    expect(removeLinkIfOurs(shim, cmd)).toBe(true);
    expect(existsSync(shim)).toBe(false);
  });

  it('compares plugin versions by their numbers', () => {
    expect(compareVersions('v2.30.0', '2.26.1-4')).toBe(1);
    expect(compareVersions('0.13.1+ds1', 'v0.13.1')).toBe(0);
    expect(compareVersions('2.9', '2.26')).toBe(-1);
  });
});
