import { describe, expect, it } from 'vitest';
import { capabilities, decodePluginConfig, parseInterfaceType } from './config.js';
import { checkPrivileges, computePrivileges, parsePrivileges } from './privileges.js';
import { applySettings, initialSettings } from './settings.js';

const DUMMY = JSON.stringify({
  description: 'Dummy test plugin',
  entrypoint: ['/dummy'],
  network: { type: 'host' },
  interface: { types: ['docker.volumedriver/1.0'], socket: 'dummy.sock' },
  env: [{ name: 'DEBUG', settable: ['value'], value: '0' }],
  args: { name: 'args', settable: ['value'], value: ['-v'] },
  mounts: [{ name: 'state', source: '/var/lib/x', destination: '/state', type: 'bind', settable: ['source'] }],
});

describe('plugin config as dockerd decodes it', () => {
  it('matches keys ignoring case and fills every field with its Go zero value', () => {
    const c = decodePluginConfig(DUMMY);
    expect(c.Description).toBe('Dummy test plugin');
    expect(c.Entrypoint).toEqual(['/dummy']);
    expect(c.Interface).toEqual({ Socket: 'dummy.sock', Types: ['docker.volumedriver/1.0'] });
    expect(c.Env).toEqual([{ Description: '', Name: 'DEBUG', Settable: ['value'], Value: '0' }]);
    expect(c.Linux).toEqual({ AllowAllDevices: false, Capabilities: null, Devices: null });
    expect(c.User).toEqual({});
    expect(c.WorkDir).toBe('');
    expect(c.PropagatedMount).toBe('');
    expect(capabilities(c)).toEqual(['volumedriver']);
  });

  it('refuses wrong JSON types and bad JSON in dockerd words', () => {
    expect(() => decodePluginConfig('{"entrypoint":"/x"}')).toThrow(
      'failed to parse config: json: cannot unmarshal string into Go struct field PluginConfig.Entrypoint of type []string',
    );
    expect(() => decodePluginConfig('')).toThrow('failed to parse config: unexpected end of JSON input');
  });

  it('splits interface types as Go does', () => {
    expect(parseInterfaceType('docker.volumedriver/1.0')).toEqual({ prefix: 'docker', capability: 'volumedriver', version: '1.0' });
    expect(parseInterfaceType('moby.plugins.log/2')).toEqual({ prefix: 'moby.plugins', capability: 'log', version: '2' });
  });
});

describe('plugin privileges', () => {
  it('lists what the config asks for and refuses any other accepted list', () => {
    const c = decodePluginConfig(DUMMY);
    const p = computePrivileges(c);
    expect(p).toEqual([
      { Name: 'network', Description: 'permissions to access a network', Value: ['host'] },
      { Name: 'mount', Description: 'host path to mount', Value: ['/var/lib/x'] },
    ]);
    expect(() => checkPrivileges(p, [...p].reverse())).not.toThrow();
    expect(() => checkPrivileges(p, p.slice(1))).toThrow('incorrect privileges');
    expect(parsePrivileges(Buffer.from(JSON.stringify(p)))).toEqual(p);
    expect(() => parsePrivileges(Buffer.alloc(0))).toThrow('failed to parse privileges: EOF');
  });
});

describe('plugin settings (docker plugin set)', () => {
  const c = decodePluginConfig(DUMMY);
  const s = initialSettings(c);

  it('starts from the config', () => {
    expect(s.Env).toEqual(['DEBUG=0']);
    expect(s.Args).toEqual(['-v']);
    expect(s.Mounts[0]?.Source).toBe('/var/lib/x');
  });

  it('sets env, args and mount sources the config marks settable', () => {
    const r = applySettings(c, s, ['DEBUG=1', 'args=-a -b', 'state.source=/other']);
    expect(r.settings.Env).toEqual(['DEBUG=1']);
    expect(r.settings.Args).toEqual(['-a', '-b']);
    expect(r.settings.Mounts[0]?.Source).toBe('/other');
    expect(r.config.Mounts?.[0]?.Source).toBe('/other');
    expect(s.Env).toEqual(['DEBUG=0']);
  });

  it('refuses what is not there or not settable, in dockerd words', () => {
    expect(() => applySettings(c, s, ['NOPE=1'])).toThrow('setting "NOPE" not found in the plugin configuration');
    expect(() => applySettings(c, s, ['DEBUG.path=1'])).toThrow('"DEBUG.path" is not settable');
    expect(() => applySettings(c, s, ['=1'])).toThrow('invalid format, must be <name>[.<field>][=<value>]');
  });
});
