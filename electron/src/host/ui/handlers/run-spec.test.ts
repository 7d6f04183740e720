import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../../shared/command-line.js';
import { checkDaemonJson } from './daemon-json.js';
import { createBody, parsePort } from './run-spec.js';
import { splitTag } from './images.js';
import { redact } from './troubleshoot.js';

describe('Run dialog to POST /containers/create', () => {
  it('parses ports the way docker run -p does', () => {
    expect(parsePort('8080:80')).toEqual({ key: '80/tcp', binding: { HostIp: '', HostPort: '8080' } });
    expect(parsePort('127.0.0.1:5353:53/udp')).toEqual({ key: '53/udp', binding: { HostIp: '127.0.0.1', HostPort: '5353' } });
    expect(parsePort('5432')).toEqual({ key: '5432/tcp', binding: { HostIp: '', HostPort: '' } });
    expect(parsePort('127.0.0.1::80')).toEqual({ key: '80/tcp', binding: { HostIp: '127.0.0.1', HostPort: '' } });
    expect(() => parsePort('http')).toThrow('invalid containerPort: http');
    expect(() => parsePort('80/xyz')).toThrow('invalid proto: xyz');
  });

  it('builds the create body: env, command, published ports, named volumes and binds', () => {
    expect(createBody({
      image: 'busybox', ports: ['8080:80', ''], env: ['A=1', ' '], volumes: ['data:/data', '/srv:/srv:ro'], command: ['sh', '-c', 'echo hi'], autoRemove: true,
    })).toEqual({
      Image: 'busybox',
      Env: ['A=1'],
      Cmd: ['sh', '-c', 'echo hi'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
        Binds: ['/srv:/srv:ro'],
        Mounts: [{ Type: 'volume', Source: 'data', Target: '/data', ReadOnly: false }],
        AutoRemove: true,
      },
    });
    expect(() => createBody({ image: 'x', ports: [], env: [], volumes: ['data'], command: [] })).toThrow("invalid volume specification: 'data'");
  });

  it('splits a command line with quotes and escapes', () => {
    expect(splitCommand(`sh -c 'echo "hi there"' a\\ b ""`)).toEqual(['sh', '-c', 'echo "hi there"', 'a b', '']);
    expect(() => splitCommand('echo "open')).toThrow('unterminated quote');
  });

  it('splits a tag from a reference with a registry port', () => {
    expect(splitTag('127.0.0.1:5000/berth-test/busybox:latest')).toEqual(['127.0.0.1:5000/berth-test/busybox', 'latest']);
    expect(splitTag('127.0.0.1:5000/busybox')).toEqual(['127.0.0.1:5000/busybox', 'latest']);
    expect(splitTag('busybox@sha256:abc')).toEqual(['busybox', 'sha256:abc']);
  });
});

describe('daemon.json check', () => {
  it('accepts valid settings and an empty file', () => {
    expect(checkDaemonJson('{"registry-mirrors":["https://mirror.example"],"debug":true}')).toEqual({ ok: true, errors: [] });
    expect(checkDaemonJson('')).toEqual({ ok: true, errors: [] });
  });

  it('says what is wrong', () => {
    expect(checkDaemonJson('{"debug": "yes"')).toMatchObject({ ok: false });
    expect(checkDaemonJson('[]').errors).toEqual(['daemon.json must be a JSON object ({ … })']);
    expect(checkDaemonJson('{"debug":"yes","insecure-registries":"r:5000","log-level":"loud"}').errors).toEqual([
      '"debug" must be a boolean', '"insecure-registries" must be a list of strings', '"log-level" must be one of debug, info, warn, error, fatal',
    ]);
    expect(checkDaemonJson('{"registry-mirrors":["mirror.example"]}').errors).toEqual(['registry mirror "mirror.example" must be an http(s):// URL']);
  });
});

describe('diagnostics', () => {
  it('masks credentials', () => {
    expect(redact('{"auths":{"r":{"auth":"dXNlcjpwYXNz"}},"password": "hunter2"}\nAuthorization: Bearer abc'))
      .toBe('{"auths":{"r":{"auth":"<redacted>"}},"password": "<redacted>"}\nAuthorization: <redacted>');
  });
});
