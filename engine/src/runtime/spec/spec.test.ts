import { describe, expect, it } from 'vitest';
import {
  buildSpec,
  dockerDefaults,
  effectiveCapabilities,
  resolveUser,
  resourcesToOci,
  withBindMounts,
  withCapabilities,
  withInit,
  withMounts,
  withProcess,
  withRlimits,
  withSeccomp,
  withTmpfs,
  withUser,
  DEFAULT_CAPABILITIES,
  parseProcLimits,
  baseSpec,
} from './index.js';

describe('spec options', () => {
  it('never mutate the spec they are given', () => {
    const base = baseSpec();
    const copy = structuredClone(base);
    withProcess({ args: ['true'] })(base);
    withMounts()(base);
    expect(base).toEqual(copy);
  });

  it('builds dockerd-like defaults: namespaces, masked paths, shm size, default caps, seccomp', () => {
    const s = buildSpec(...dockerDefaults({ args: ['sh'], hostname: 'h1', shmSize: 1024 * 1024 }));
    expect(s.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
    expect(s.hostname).toBe('h1');
    expect(s.mounts.find((m) => m.destination === '/dev/shm')?.options).toContain('size=1048576');
    expect(s.mounts.find((m) => m.destination === '/sys')?.options).toContain('ro');
    expect(s.linux.maskedPaths).toContain('/proc/kcore');
    expect(s.linux.readonlyPaths).toContain('/proc/sys');
    expect(s.process.capabilities?.bounding).toHaveLength(DEFAULT_CAPABILITIES.length);
    expect(s.linux.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(s.process.env[0]).toMatch(/^PATH=/);
  });

  it('privileged: all caps, no seccomp, nothing masked, /sys writable', () => {
    const s = buildSpec(...dockerDefaults({ args: ['sh'], privileged: true }));
    expect(s.process.capabilities?.bounding).toContain('CAP_SYS_ADMIN');
    expect(s.linux.seccomp).toBeUndefined();
    expect(s.linux.maskedPaths).toEqual([]);
    expect(s.mounts.find((m) => m.destination === '/sys')?.options).toContain('rw');
  });
});

describe('capabilities', () => {
  it('follows dockerd: drop ALL then add, add ALL then drop, names without CAP_', () => {
    expect(effectiveCapabilities({ drop: ['ALL'], add: ['net_admin'] })).toEqual(['CAP_NET_ADMIN']);
    const all = effectiveCapabilities({ add: ['ALL'], drop: ['SYS_ADMIN'] });
    expect(all).toContain('CAP_NET_ADMIN');
    expect(all).not.toContain('CAP_SYS_ADMIN');
    expect(effectiveCapabilities({ drop: ['CHOWN'] })).not.toContain('CAP_CHOWN');
    expect(() => effectiveCapabilities({ add: ['FOO'] })).toThrow('unknown capability: "CAP_FOO"');
  });

  it('clamps privileged and ALL to the engine bounding set and refuses explicit missing ones', async () => {
    const { capabilitiesFromMask } = await import('./index.js');
    const available = capabilitiesFromMask('000001fffeffffff');
    expect(available).not.toContain('CAP_SYS_RESOURCE');
    expect(available).toContain('CAP_CHECKPOINT_RESTORE');
    expect(effectiveCapabilities({ privileged: true, available })).toHaveLength(40);
    expect(effectiveCapabilities({ add: ['ALL'], available })).not.toContain('CAP_SYS_RESOURCE');
    expect(() => effectiveCapabilities({ add: ['SYS_RESOURCE'], available })).toThrow(/CAP_SYS_RESOURCE cannot be granted/);
  });

  it('gives a non-root user only the bounding set', () => {
    const s = buildSpec(withUser({ uid: 1000, gid: 1000, additionalGids: [], home: '/' }), withCapabilities());
    expect(s.process.capabilities?.effective).toEqual([]);
    expect(s.process.capabilities?.bounding.length).toBeGreaterThan(0);
  });
});

describe('seccomp', () => {
  const names = (s: ReturnType<typeof buildSpec>) => s.linux.seccomp?.syscalls?.flatMap((r) => r.names) ?? [];
  it('gates namespace and mount syscalls behind CAP_SYS_ADMIN', () => {
    const plain = buildSpec(withCapabilities(), withSeccomp());
    expect(names(plain)).toContain('read');
    expect(names(plain)).not.toContain('unshare');
    expect(names(plain)).not.toContain('keyctl');
    const admin = buildSpec(withCapabilities({ add: ['SYS_ADMIN'] }), withSeccomp());
    expect(names(admin)).toContain('unshare');
  });

  it('accepts a docker-format profile file and unconfined', () => {
    const json = JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    });
    const s = buildSpec(withSeccomp({ kind: 'profile', json }));
    expect(s.linux.seccomp?.syscalls).toEqual([{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]);
    expect(buildSpec(withSeccomp({ kind: 'unconfined' })).linux.seccomp).toBeUndefined();
    expect(() => buildSpec(withSeccomp({ kind: 'profile', json: '{' }))).toThrow(/Decoding seccomp profile failed/);
  });
});

describe('user resolution', () => {
  const db = {
    passwd: 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\n',
    group: 'root:x:0:\nwheel:x:10:root\nwww:x:33:\naudio:x:29:www\n',
  };
  it('resolves names, numbers, groups and supplementary groups', () => {
    expect(resolveUser('', db)).toEqual({ uid: 0, gid: 0, additionalGids: [10], home: '/root' });
    expect(resolveUser('www', db)).toEqual({ uid: 33, gid: 33, additionalGids: [29], home: '/var/www' });
    expect(resolveUser('1234', db)).toMatchObject({ uid: 1234, gid: 0 });
    expect(resolveUser('www:wheel', db)).toMatchObject({ uid: 33, gid: 10, additionalGids: [] });
    expect(resolveUser('33:5', db, ['audio', '7'])).toMatchObject({ uid: 33, gid: 5, additionalGids: [29, 7] });
  });
  it('fails like dockerd on unknown names', () => {
    expect(() => resolveUser('nobody', db)).toThrow('unable to find user nobody: no matching entries in passwd file');
    expect(() => resolveUser('www:nogroup', db)).toThrow('unable to find group nogroup: no matching entries in group file');
  });
});

describe('resources', () => {
  const v1 = { cgroup: 'v1' as const, cpuCount: 2 };
  it('maps cpus, memory, swap and pids as dockerd does', () => {
    const r = resourcesToOci({ memory: 64 << 20, nanoCpus: 1.5e9, pidsLimit: 10, cpuShares: 512, oomKillDisable: true }, v1);
    expect(r.memory).toEqual({ limit: 64 << 20, swap: 128 << 20, disableOOMKiller: true });
    expect(r.cpu).toEqual({ shares: 512, period: 100000, quota: 150000 });
    expect(r.pids).toEqual({ limit: 10 });
    expect(resourcesToOci({ memory: 64 << 20, memorySwap: -1 }, v1).memory?.swap).toBe(-1);
    expect(resourcesToOci({ oomKillDisable: true }, { cgroup: 'v2', cpuCount: 2 }).memory).toBeUndefined();
  });
  it('validates with dockerd messages', () => {
    expect(() => resourcesToOci({ memory: 1024 }, v1)).toThrow('Minimum memory limit allowed is 6MB');
    expect(() => resourcesToOci({ nanoCpus: 3e9 }, v1)).toThrow('Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    expect(() => resourcesToOci({ memory: 64 << 20, memorySwap: 8 << 20 }, v1)).toThrow(/memoryswap limit should be larger/);
  });
});

describe('mounts, init, rlimits', () => {
  it('lets --tmpfs and binds replace defaults at the same path and sets propagation', () => {
    const s = buildSpec(withMounts(), withTmpfs({ '/dev/shm': 'size=1m' }), withBindMounts([{ source: '/a', destination: '/b', propagation: 'rshared', readonly: true }]));
    expect(s.mounts.filter((m) => m.destination === '/dev/shm')).toHaveLength(1);
    expect(s.mounts.find((m) => m.destination === '/b')?.options).toEqual(['rbind', 'ro', 'rshared']);
    expect(s.linux.rootfsPropagation).toBe('rshared');
  });
  it('runs the command under the init binary', () => {
    const s = buildSpec(withProcess({ args: ['sleep', '1'] }), withInit('/usr/bin/tini-static'));
    expect(s.process.args).toEqual(['/sbin/berth-init', '--', 'sleep', '1']);
  });
  it('refuses rlimits above the engine hard limit', () => {
    const hard = parseProcLimits('Limit Soft Hard Units\nMax open files            1024                 20000                files\n');
    expect(hard.nofile).toBe(20000);
    expect(buildSpec(withRlimits([{ name: 'nofile', soft: 100, hard: 200 }], hard)).process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 100, hard: 200 }]);
    expect(() => withRlimits([{ name: 'nofile', soft: 100, hard: 99999 }], hard)).toThrow(/above the engine's own hard limit 20000/);
  });
});

describe('user namespaces', () => {
  it('are opt-in and map container root to the given host range', async () => {
    const { withUserNamespace, withNamespaces } = await import('./index.js');
    const s = buildSpec(withNamespaces(), withUserNamespace({ hostId: 100000, size: 65536 }));
    expect(s.linux.namespaces.map((n) => n.type)).toContain('user');
    expect(s.linux.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    expect(buildSpec(withNamespaces()).linux.namespaces.map((n) => n.type)).not.toContain('user');
  });
});
