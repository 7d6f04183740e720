import { describe, expect, it } from 'vitest';
import { NotFound } from '../base/errors.js';
import { joinedNamespaces, validateNamespaceModes } from './shared-namespaces.js';
import type { ContainerRecord } from './types.js';

function rec(id: string, host: Partial<ContainerRecord['HostConfig']>, state: Partial<ContainerRecord['State']> = { Running: true, Pid: 4242 }): ContainerRecord {
  return {
    Id: id,
    Config: { Hostname: `${id}-host`, Domainname: '' },
    HostConfig: { IpcMode: 'private', PidMode: '', NetworkMode: 'bridge', ...host },
    State: { Running: false, Restarting: false, Pid: 0, ...state },
  } as unknown as ContainerRecord;
}

function lookupIn(...records: ContainerRecord[]) {
  return (name: string): ContainerRecord => {
    const r = records.find((x) => x.Id === name);
    if (!r) throw new NotFound(`No such container: ${name}`);
    return r;
  };
}

const shmOf = (donor: ContainerRecord) => `/run/c/${donor.Id}/shm`;

describe('validateNamespaceModes', () => {
  it('accepts the modes dockerd accepts', () => {
    for (const ipc of ['', 'host', 'private', 'shareable', 'none', 'container:x']) expect(() => validateNamespaceModes(ipc, '')).not.toThrow();
    for (const pid of ['', 'host', 'container:x']) expect(() => validateNamespaceModes('', pid)).not.toThrow();
  });
  it('refuses others with dockerd words', () => {
    expect(() => validateNamespaceModes('bogus', '')).toThrow('invalid IPC mode: bogus');
    expect(() => validateNamespaceModes('container:', '')).toThrow('invalid IPC mode: container:');
    expect(() => validateNamespaceModes('', 'private')).toThrow('invalid PID mode: private');
  });
});

describe('joinedNamespaces', () => {
  it('joins the PID and IPC namespaces of running donors and binds a shareable donor /dev/shm', () => {
    const donor = rec('a', { IpcMode: 'shareable' });
    const j = joinedNamespaces(rec('b', { PidMode: 'container:a', IpcMode: 'container:a' }), lookupIn(donor), shmOf);
    expect(j.paths).toEqual({ pid: '/proc/4242/ns/pid', ipc: '/proc/4242/ns/ipc' });
    expect(j.shm).toEqual({ source: '/run/c/a/shm', destination: '/dev/shm' });
    expect(j.hostIpc).toBe(false);
  });

  it('refuses a private IPC donor, a stopped donor and a missing one as dockerd does', () => {
    expect(() => joinedNamespaces(rec('b', { IpcMode: 'container:a' }), lookupIn(rec('a', {})), shmOf)).toThrow(
      'failed to join IPC namespace: container a: non-shareable IPC (hint: use IpcMode:shareable for the donor container)',
    );
    expect(() => joinedNamespaces(rec('b', { PidMode: 'container:a' }), lookupIn(rec('a', {}, { Running: false })), shmOf)).toThrow(
      'failed to join PID namespace: container a is not running',
    );
    expect(() => joinedNamespaces(rec('b', { PidMode: 'container:zz' }), lookupIn(), shmOf)).toThrow('failed to join PID namespace: No such container: zz');
  });

  it('shares the host IPC with a host-IPC donor, and gives --ipc none no /dev/shm', () => {
    const viaHost = joinedNamespaces(rec('b', { IpcMode: 'container:a' }), lookupIn(rec('a', { IpcMode: 'host' })), shmOf);
    expect(viaHost.hostIpc).toBe(true);
    expect(viaHost.shm).toEqual({ source: '/dev/shm', destination: '/dev/shm' });
    expect(joinedNamespaces(rec('b', { IpcMode: 'none' }), lookupIn(), shmOf).shm).toBe('none');
  });

  it('names the network peer of --network container:X', () => {
    const peer = rec('a', {});
    expect(joinedNamespaces(rec('b', { NetworkMode: 'container:a' }), lookupIn(peer), shmOf).networkPeer).toBe(peer);
  });
});
