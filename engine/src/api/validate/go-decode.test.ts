import { describe, expect, it } from 'vitest';
import { containerCreate, execCreate } from './bodies.gen.js';
import { checkGoDecodable, jsonDepthExceeds } from './go-decode.js';

const refusal = (body: unknown, shape = containerCreate): string => {
  try {
    checkGoDecodable(body, shape);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('Go decode check', () => {
  it('names the field as Go does: innermost struct, then the path from the root', () => {
    expect(refusal({ HostConfig: { RestartPolicy: { MaximumRetryCount: 'x' } } })).toBe(
      'invalid JSON: json: cannot unmarshal string into Go struct field RestartPolicy.HostConfig.RestartPolicy.MaximumRetryCount of type int',
    );
    expect(refusal({ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 80 }] } } })).toContain('Go struct field PortBinding.HostConfig.PortBindings.HostPort of type string');
  });

  it('checks integer widths', () => {
    expect(refusal({ HostConfig: { BlkioWeight: 70000 } })).toContain('number 70000 into Go struct field HostConfig.HostConfig.BlkioWeight of type uint16');
    expect(refusal({ HostConfig: { BlkioWeight: -1 } })).toContain('number -1');
  });

  it('takes nulls, unknown fields, strslice strings, and files keys by their Go name', () => {
    const body: Record<string, unknown> = { cmd: 'echo', Unknown: { x: 1 }, HostConfig: null, Entrypoint: ['a', 'b'] };
    expect(refusal(body)).toBe('');
    expect(body).toEqual({ Cmd: 'echo', Unknown: { x: 1 }, HostConfig: null, Entrypoint: ['a', 'b'] });
    expect(refusal({ Cmd: ['a', 1] })).toContain('cannot unmarshal array into Go struct field CreateRequest.Cmd of type string');
    expect(refusal({ Cmd: 'sh' }, execCreate)).toContain('of type []string');
  });

  it('takes the --mount body the docker CLI and Compose send (Mount.Type is a string enum in the swagger)', () => {
    const mounts = [
      { Type: 'volume', Source: 'data', Target: '/data', VolumeOptions: { Subpath: 'www' } },
      { Type: 'bind', Source: '/srv', Target: '/srv', ReadOnly: true, BindOptions: { Propagation: 'rprivate' } },
      { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777 } },
    ];
    expect(refusal({ Image: 'busybox', HostConfig: { Mounts: mounts } })).toBe('');
    expect(refusal({ HostConfig: { Mounts: [{ Type: 1, Target: '/x' }] } })).toContain('Go struct field Mount.HostConfig.Mounts.Type of type');
  });

  it('measures nesting outside strings only', () => {
    expect(jsonDepthExceeds('['.repeat(101) + ']'.repeat(101))).toBe(true);
    expect(jsonDepthExceeds(`{"a":"${'['.repeat(500)}\\""}`)).toBe(false);
  });
});
