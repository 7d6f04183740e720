import { describe, expect, it } from 'vitest';
import { execTool } from './exec.js';
import { onlyExisted } from './links.js';

/** Runs an `ip -force -batch` in a network namespace of its own (nothing on this machine is touched). */
async function batchInFreshNetns(setup: string, batch: string[]): Promise<{ code: number; stderr: string }> {
  const script = `${setup}\nprintf '%s\\n' "$@" | ip -force -batch -`;
  return execTool('unshare', ['--net', 'sh', '-c', script, 'sh', ...batch]);
}

const bridgeBatch = ['link add name bt0 type bridge', 'link set dev bt0 mtu 1500', 'address replace 10.77.0.1/24 dev bt0', 'link set dev bt0 up'];

describe("ensureBridge's one ip batch", () => {
  it('makes a bridge that is not there', async () => {
    const r = await batchInFreshNetns(':', bridgeBatch);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('takes a bridge already there (a restart) as made: only the add failed, with "File exists"', async () => {
    const r = await batchInFreshNetns('ip link add name bt0 type bridge', bridgeBatch);
    expect(r.code).not.toBe(0);
    expect(onlyExisted(r.stderr)).toBe(true);
  });

  it('fails on any other error, even after the add failed', async () => {
    const bad = [...bridgeBatch.slice(0, 2), 'address replace 10.77.0.1/99 dev bt0', bridgeBatch[3]!];
    const existing = await batchInFreshNetns('ip link add name bt0 type bridge', bad);
    expect(onlyExisted(existing.stderr)).toBe(false);
    const fresh = await batchInFreshNetns(':', bad);
    expect(fresh.code).not.toBe(0);
    expect(onlyExisted(fresh.stderr)).toBe(false);
  });
});
