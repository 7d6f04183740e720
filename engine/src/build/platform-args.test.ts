import { describe, expect, it } from 'vitest';
import { hostPlatform } from '../images/platform.js';
import { platformArgs } from './platform-args.js';
import { checkSyntaxDirective } from './syntax-directive.js';

describe('automatic platform ARGs', () => {
  it('describe the build platform and, without --platform, the same target', () => {
    const args = platformArgs('');
    const arch = hostPlatform().architecture;
    expect(args.get('BUILDPLATFORM')).toBe(`linux/${arch}`);
    expect(args.get('TARGETPLATFORM')).toBe(`linux/${arch}`);
    expect(args.get('TARGETOS')).toBe('linux');
    expect(args.get('TARGETARCH')).toBe(arch);
    expect(args.get('TARGETVARIANT')).toBe('');
  });

  it('take the target from --platform, normalized as containerd writes it', () => {
    expect(platformArgs('linux/arm/v7').get('TARGETPLATFORM')).toBe('linux/arm/v7');
    expect(platformArgs('linux/arm/v7').get('TARGETVARIANT')).toBe('v7');
    expect(platformArgs('linux/arm64/v8').get('TARGETPLATFORM')).toBe('linux/arm64');
    expect(platformArgs('arm64').get('TARGETARCH')).toBe('arm64');
  });
});

describe('# syntax= directive', () => {
  it('serves docker/dockerfile 1.x with a warning and refuses any other frontend', () => {
    expect(checkSyntaxDirective(undefined, undefined)).toBeUndefined();
    for (const ref of ['docker/dockerfile:1', 'docker.io/docker/dockerfile:1.7', 'docker/dockerfile:1.4.3-labs', 'docker/dockerfile-upstream:1', `docker/dockerfile:1@sha256:${'a'.repeat(64)}`]) {
      expect(checkSyntaxDirective(ref, undefined)).toBe(`syntax ${ref} served by the built-in frontend`);
    }
    expect(() => checkSyntaxDirective('example.com/my/frontend:2', undefined)).toThrow('custom Dockerfile frontends are not supported by this engine: syntax example.com/my/frontend:2');
    expect(() => checkSyntaxDirective('docker/dockerfile:0.9', undefined)).toThrow('custom Dockerfile frontends');
    // --build-arg BUILDKIT_SYNTAX wins over the directive.
    expect(() => checkSyntaxDirective('docker/dockerfile:1', 'other/frontend')).toThrow('syntax other/frontend');
  });
});
