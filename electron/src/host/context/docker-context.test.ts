import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledDockerBinary } from '../../../../scripts/src/testrig/toolchain.js';
import { berthPaths } from '../paths.js';
import { currentContextOf, DockerConfigSetup } from '../toolchain/docker-config-setup.js';
import { endpointHost, ensureContext, removeContextFiles } from './docker-context.js';
import { testTmpdir } from '../../../../scripts/src/testrig/temp-dir.js';

// The real docker CLI judges the files we write.
const docker = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  execFileSync(bundledDockerBinary(), args, { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('docker context berth', () => {
  it('is listed and inspected by the docker CLI with the host socket as its endpoint', () => {
    const env = { DOCKER_CONFIG: mkdtempSync(path.join(testTmpdir(), 'berth-ctx-')) };
    ensureContext('/home/u/.berth/run/docker.sock', env);
    const host = docker(env, 'context', 'inspect', 'berth', '--format', '{{.Endpoints.docker.Host}}');
    expect(host.trim()).toBe('unix:///home/u/.berth/run/docker.sock');
    expect(docker(env, 'context', 'ls', '--format', '{{.Name}}')).toContain('berth');
  });

  it('becomes current on request, keeps other config keys, and is removed cleanly', () => {
    const dir = mkdtempSync(path.join(testTmpdir(), 'berth-ctx-'));
    const env = { DOCKER_CONFIG: dir };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'r.example': { auth: 'eDp5' } } }));
    ensureContext('/s/docker.sock', env);
    const setup = new DockerConfigSetup(berthPaths({ BERTH_HOME: path.join(dir, 'berth-home') }), dir);
    setup.setContextInUse(true);
    expect(docker(env, 'context', 'show').trim()).toBe('berth');
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).auths['r.example'].auth).toBe('eDp5');
    setup.setContextInUse(false);
    removeContextFiles(env);
    expect(currentContextOf(setup.file.read())).toBe('default');
    expect(docker(env, 'context', 'ls', '--format', '{{.Name}}')).not.toContain('berth');
  });

  it('points at the named pipe on Windows', () => {
    expect(endpointHost('\\\\.\\pipe\\berth_engine')).toBe('npipe:////./pipe/berth_engine');
  });
});
