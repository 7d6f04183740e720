// Settings → Registries' "Link docker into /usr/local/bin" toggle, over a temporary prefix standing in for it.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialIndex } from '../../credentials/credential-index.js';
import { MemoryCredentialStore } from '../../credentials/memory-store.js';
import { RegistryCredentials } from '../../credentials/registry-credentials.js';
import { berthPaths, type BerthPaths } from '../../paths.js';
import { DockerConfigSetup } from '../../toolchain/docker-config-setup.js';
import { registryHandlers } from './registries.js';

describe('Settings: links in a system bin dir', () => {
  let root: string;
  let prefix: string;
  let tools: string;
  let paths: BerthPaths;
  let handlers: ReturnType<typeof registryHandlers>;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-reg-links-'));
    prefix = path.join(root, 'usr-local-bin');
    mkdirSync(prefix);
    tools = path.join(root, 'tools');
    for (const name of ['docker', 'docker-credential-berth']) {
      mkdirSync(path.join(tools, 'bin'), { recursive: true });
      writeFileSync(path.join(tools, 'bin', name), '#!/bin/sh\necho berth\n');
      chmodSync(path.join(tools, 'bin', name), 0o755);
    }
    paths = berthPaths({ BERTH_HOME: path.join(root, 'berth') });
    mkdirSync(paths.home);
    handlers = registryHandlers({} as Docker, {
      credentials: new RegistryCredentials(new MemoryCredentialStore(), new CredentialIndex(paths.credentialIndex)),
      dockerConfig: new DockerConfigSetup(paths, path.join(root, 'docker-config')),
      settingsPath: paths.settings,
      systemLinks: { paths, dir: prefix, env: { BERTH_TOOLS_DIR: tools } },
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is off until asked; on links and says what it left alone; off removes only its links', async () => {
    writeFileSync(path.join(prefix, 'docker'), '#!/bin/sh\necho "Docker version 28.1.0"\n');
    chmodSync(path.join(prefix, 'docker'), 0o755);
    expect((await handlers['registries.list']()).systemLinks).toEqual({ dir: prefix, on: false, writable: true, left: [] });
    const on = await handlers['registries.systemLinks']({ on: true });
    expect(on.systemLinks).toEqual({ dir: prefix, on: true, writable: true, left: [`${path.join(prefix, 'docker')}: your own (Docker version 28.1.0)`] });
    expect(readlinkSync(path.join(prefix, 'docker-credential-berth'))).toBe(path.join(tools, 'bin', 'docker-credential-berth'));
    expect((await handlers['registries.list']()).systemLinks?.on).toBe(true);
    const off = await handlers['registries.systemLinks']({ on: false });
    expect(off.systemLinks).toMatchObject({ on: false, left: [] });
    expect(existsSync(path.join(prefix, 'docker-credential-berth'))).toBe(false);
    expect(readFileSync(path.join(prefix, 'docker'), 'utf8')).toContain('28.1.0');
  });
});
