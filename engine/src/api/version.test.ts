import { describe, expect, it } from 'vitest';
import { API_VERSION } from '../base/version.js';
import { checkVersion, splitVersion } from './version.js';

describe('splitVersion', () => {
  it('strips the /v1.xx prefix and defaults bare paths to the newest version', () => {
    expect(splitVersion('/v1.41/containers/json')).toEqual({ version: '1.41', path: '/containers/json', explicit: true });
    expect(splitVersion('/containers/json')).toEqual({ version: API_VERSION, path: '/containers/json', explicit: false });
  });
});

describe('checkVersion', () => {
  it("answers dockerd's too-old text word for word", () => {
    expect(() => checkVersion('1.12', '1.24', '1.51')).toThrow(
      'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
    );
  });
  it("answers dockerd's too-new text word for word", () => {
    expect(() => checkVersion('1.99', '1.24', '1.51')).toThrow('client version 1.99 is too new. Maximum supported API version is 1.51');
  });
  it('compares numerically, not as strings', () => {
    expect(() => checkVersion('1.9', '1.24', '1.51')).toThrow(/too old/);
    expect(() => checkVersion('1.24', '1.24', '1.51')).not.toThrow();
    expect(() => checkVersion('1.51', '1.24', '1.51')).not.toThrow();
  });
});
