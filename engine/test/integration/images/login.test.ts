import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  pushTestImages,
  startBerthd,
  startRegistry,
  type PushedTestImages,
  type RunningBerthd,
  type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';

describe('login, logout and authenticated pull/push against an htpasswd registry', () => {
  const auth = { username: 'berth', password: 's3cret-pass' };
  let registry: TestRegistry;
  let images: PushedTestImages;
  let daemon: RunningBerthd;
  let configDir: string;
  const run = (args: string[], input?: string) => docker(args, { host: daemon.dockerHost, configDir, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    registry = await startRegistry({ auth });
    images = await pushTestImages(registry);
    daemon = await startBerthd({ insecureRegistries: [registry.host] });
    configDir = await mkdtemp(join(tmpdir(), 'docker-config-'));
  });
  afterAll(async () => {
    await daemon?.stop();
    await registry?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it('refuses an anonymous pull, then logs in, pulls, pushes and logs out', async () => {
    const anonymous = await run(['pull', images.busybox.reference]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/no basic auth credentials|unauthorized/);

    const wrong = await run(['login', registry.host, '-u', auth.username, '--password-stdin'], 'not-the-password\n');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/unauthorized/);

    const login = await run(['login', registry.host, '-u', auth.username, '--password-stdin'], `${auth.password}\n`);
    expect(login.stderr + login.stdout).toContain('Login Succeeded');

    const pull = await run(['pull', images.busybox.reference]);
    expect(pull.code, pull.stderr).toBe(0);
    const target = `${registry.host}/berth-private/copy:v1`;
    expect((await run(['tag', images.busybox.reference, target])).code).toBe(0);
    const push = await run(['push', target]);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toContain(`v1: digest: ${images.busybox.digest}`);

    const logout = await run(['logout', registry.host]);
    expect(logout.stdout).toContain(`Removing login credentials for ${registry.host}`);
    expect((await run(['push', target])).code).not.toBe(0);
  });
});
