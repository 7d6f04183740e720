import { describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { redact, troubleshootHandlers } from './troubleshoot.js';

describe('redact', () => {
  it('masks registry auths, tokens, passwords and credentials in URLs, and keeps the rest readable', () => {
    const text = [
      '{"auths":{"r.local":{"auth":"dXNlcjpwYXNz","identitytoken":"abc"}},"registry-token": "tok-1", "cpus": 2}',
      'level=debug msg="pull" REGISTRY_PASSWORD=hunter2 --registry-token=xyz',
      'proxy http://ann:hunter2@proxy.local:3128 and https://mirror.local',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl',
      'token ghp_abcdefghijklmnopqrstuvwxyz0123',
    ].join('\n');
    const out = redact(text);
    for (const secret of ['dXNlcjpwYXNz', '"abc"', 'tok-1', 'hunter2', 'xyz', 'eyJhbGci', 'ghp_abc']) expect(out).not.toContain(secret);
    expect(out).toContain('"cpus": 2');
    expect(out).toContain('http://<redacted>@proxy.local:3128');
    expect(out).toContain('https://mirror.local');
    expect(out).toContain('Authorization: <redacted>');
  });
});

describe('factory reset through the contract', () => {
  const docker = {} as Docker;
  it('tells what it deletes and runs the controller when there is one', async () => {
    let ran = 0;
    const h = troubleshootHandlers(docker, { engine: 'unix:///x', controls: { factoryReset: { deletes: ['/home/ann/.berth/vm/data.qcow2'], run: async () => { ran++; } } } });
    expect(await h['troubleshoot.resetPlan']()).toEqual({ deletes: ['/home/ann/.berth/vm/data.qcow2'] });
    await h['troubleshoot.reset']();
    expect(ran).toBe(1);
  });

  it('refuses with what to do instead when the host does not manage the engine', async () => {
    const h = troubleshootHandlers(docker, { engine: 'unix:///x' });
    expect(await h['troubleshoot.resetPlan']()).toBeNull();
    await expect(h['troubleshoot.reset']()).rejects.toMatchObject({ code: 'not_implemented', hint: expect.stringContaining('berth reset --force') });
  });
});
