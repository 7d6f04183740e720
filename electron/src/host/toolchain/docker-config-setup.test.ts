import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { berthPaths, type BerthPaths } from '../paths.js';
import { DockerConfigSetup } from './docker-config-setup.js';
import { DockerConfigInvalid } from './docker-config-file.js';

describe('DockerConfigSetup (~/.docker/config.json handled with care)', () => {
  let root: string;
  let paths: BerthPaths;
  let configDir: string;
  let file: string;
  const setup = () => new DockerConfigSetup(paths, configDir);
  const read = () => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-dcfg-'));
    paths = berthPaths({ BERTH_HOME: path.join(root, 'berth') }, 'linux');
    configDir = path.join(root, 'docker');
    file = path.join(configDir, 'config.json');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('on first start sets credsStore, the plugin dir and the context; uninstall removes the file and dir it made', () => {
    const r = setup().apply({ pluginsDir: paths.cliPlugins, useContext: true });
    expect(r).toMatchObject({ credsStore: 'set', currentContext: 'berth', plaintext: [] });
    expect(read()).toEqual({ cliPluginsExtraDirs: [paths.cliPlugins], credsStore: 'berth', currentContext: 'berth' });
    expect(readFileSync(file, 'utf8')).toContain('\n\t"credsStore"');
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(setup().undo([])).toBe('restored');
    expect(existsSync(configDir)).toBe(false);
  });

  it('leaves credsStore alone while there is no docker-credential-berth to run, and sets it once there is', () => {
    expect(setup().apply({ useContext: true, helperAvailable: false })).toMatchObject({ credsStore: 'no-helper', currentContext: 'berth' });
    expect(read()).toEqual({ currentContext: 'berth' });
    expect(setup().apply({ useContext: true, helperAvailable: true })).toMatchObject({ credsStore: 'set' });
    expect(read()).toEqual({ credsStore: 'berth', currentContext: 'berth' });
  });

  it('keeps every other key, backs up first, and uninstall writes the original bytes back', () => {
    mkdirSync(configDir);
    const original = '{\n    "proxies": {"default": {"httpProxy": "http://p:3128"}},\n    "credsStore": "desktop",\n    "currentContext": "work",\n    "cliPluginsExtraDirs": ["/opt/plugins"],\n    "auths": {"ghcr.io": {}}\n}\n';
    writeFileSync(file, original, { mode: 0o644 });
    setup().apply({ pluginsDir: paths.cliPlugins, useContext: true });
    expect(read()).toEqual({
      proxies: { default: { httpProxy: 'http://p:3128' } }, credsStore: 'berth', currentContext: 'berth',
      cliPluginsExtraDirs: ['/opt/plugins', paths.cliPlugins], auths: { 'ghcr.io': {} },
    });
    expect(lstatSync(file).mode & 0o777).toBe(0o644);
    expect(readFileSync(path.join(paths.home, 'backups', 'docker-config.json.bak'), 'utf8')).toBe(original);
    setup().apply({ pluginsDir: paths.cliPlugins, useContext: true }); // a second start changes nothing
    expect(setup().undo([])).toBe('restored');
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('uninstall keeps entries the user added since and drops the markers of logins Berth erased', () => {
    writeFileSync((mkdirSync(configDir), file), '{"auths":{"ghcr.io":{"auth":"dTpw"}},"credsStore":"pass"}');
    setup().apply({ pluginsDir: paths.cliPlugins, useContext: true });
    const c = read();
    c.psFormat = 'table {{.Names}}';
    (c.auths as Record<string, unknown>)['127.0.0.1:5000'] = {};
    writeFileSync(file, JSON.stringify(c));
    expect(setup().undo(['127.0.0.1:5000'])).toBe('reverted');
    expect(read()).toEqual({ auths: { 'ghcr.io': { auth: 'dTpw' } }, credsStore: 'pass', psFormat: 'table {{.Names}}' });
  });

  it('waits for consent while plain-text logins are in the file, then adopts them', () => {
    writeFileSync((mkdirSync(configDir), file), '{"auths":{"r.example":{"auth":"dTpw"}}}');
    expect(setup().apply({ useContext: false })).toMatchObject({ credsStore: 'awaiting-consent', plaintext: ['r.example'] });
    expect(read().credsStore).toBeUndefined();
    setup().adoptLogins(['r.example']);
    expect(read()).toEqual({ auths: { 'r.example': {} }, credsStore: 'berth' });
  });

  it("leaves a credsStore or a context the user chose since Berth's change alone", () => {
    setup().apply({ useContext: true });
    writeFileSync(file, JSON.stringify({ credsStore: 'secretservice', currentContext: 'other' }));
    expect(setup().apply({ useContext: false })).toMatchObject({ credsStore: 'user-choice', currentContext: 'other' });
    expect(setup().setContextInUse(false)).toBe('other');
    expect(setup().undo([])).toBe('reverted');
    expect(read()).toEqual({ credsStore: 'secretservice', currentContext: 'other' });
  });

  it('"Use the berth context" off puts the previous context back, on makes berth current again', () => {
    writeFileSync((mkdirSync(configDir), file), '{"currentContext":"colima"}');
    setup().apply({ useContext: true });
    expect(setup().setContextInUse(false)).toBe('colima');
    expect(setup().setContextInUse(true)).toBe('berth');
    expect(setup().setContextInUse(false)).toBe('colima');
  });

  it('writes through a config.json that is a symlink (dotfile managers)', () => {
    mkdirSync(configDir);
    const real = path.join(root, 'dotfiles-config.json');
    writeFileSync(real, '{}');
    symlinkSync(real, file);
    setup().apply({ useContext: true });
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(real, 'utf8')).currentContext).toBe('berth');
  });

  it('never overwrites a config.json that is not valid JSON', () => {
    writeFileSync((mkdirSync(configDir), file), '{"auths": {');
    expect(() => setup().apply({ useContext: true })).toThrow(DockerConfigInvalid);
    expect(readFileSync(file, 'utf8')).toBe('{"auths": {');
  });
});
