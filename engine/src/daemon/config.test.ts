import { describe, expect, it } from 'vitest';
import { DEFAULTS, mergeConfig } from './config.js';

describe('mergeConfig', () => {
  it('layers flags over daemon.json over defaults', () => {
    const c = mergeConfig({ dataRoot: '/flag' }, { 'exec-root': '/file', 'log-driver': 'local' }, '/etc/berth/daemon.json');
    expect(c.dataRoot).toBe('/flag');
    expect(c.execRoot).toBe('/file');
    expect(c.bridgeName).toBe(DEFAULTS.bridgeName);
    expect(c.extra['log-driver']).toBe('local');
  });

  it('fails as dockerd does when a directive is both a flag and in the file', () => {
    expect(() => mergeConfig({ hosts: ['unix:///a.sock'] }, { hosts: ['unix:///b.sock'] }, 'd.json')).toThrow(
      'unable to configure berthd with file d.json: the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [unix:///a.sock], from file: [unix:///b.sock])',
    );
  });

  it('fails on directives that match no option', () => {
    expect(() => mergeConfig({}, { 'no-such-thing': 1 }, 'd.json')).toThrow(
      "the following directives don't match any configuration option: no-such-thing",
    );
  });

  it('validates values', () => {
    expect(() => mergeConfig({ bip: '10.0.0.1' }, {}, 'd.json')).toThrow(/invalid bip/);
    expect(() => mergeConfig({ defaultRuntime: 'kata' }, {}, 'd.json')).toThrow(/default runtime kata does not exist/);
    expect(() => mergeConfig({ bridgeName: 'a-name-far-too-long-for-linux' }, {}, 'd.json')).toThrow(/invalid bridge name/);
    expect(() => mergeConfig({}, { 'log-level': 'chatty' }, 'd.json')).toThrow('unable to parse logging level: chatty');
  });

  it('reads default-address-pools from the file in dockerd shape', () => {
    const c = mergeConfig({}, { 'default-address-pools': [{ base: '10.123.0.0/16', size: 24 }] }, 'd.json');
    expect(c.defaultAddressPools).toEqual([{ base: '10.123.0.0/16', size: 24 }]);
  });

  it('turns "debug": true into debug logging unless a flag says otherwise', () => {
    expect(mergeConfig({}, { debug: true }, 'd.json').logLevel).toBe('debug');
    expect(mergeConfig({ logLevel: 'warn' }, { debug: true }, 'd.json').logLevel).toBe('warn');
  });
});
