import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { startBerthd } from '../testrig/berthd.js';
import { findDockerd, startDockerd, type RunningDockerd } from '../testrig/dockerd.js';
import { pingSocket } from '../testrig/ping.js';
import { allocateBridge, releaseBridge, type BridgeAllocation } from '../testrig/subnets.js';
import { berthProcesses, dockerdProcesses } from './engine-processes.js';
import type { BenchTarget } from './scenario.js';

const run = promisify(execFile);

export interface StartedTarget extends BenchTarget {
  stop(): Promise<void>;
}

/** A berthd of this checkout, started by the test rig. Logging at warn, as the peer dockerd does, to compare alike. */
export async function startBerthTarget(): Promise<StartedTarget> {
  const d = await startBerthd({ logLevel: 'warn' });
  const version = await engineVersion(d.socket);
  return {
    kind: 'berth',
    label: `berthd ${version}`,
    socket: d.socket,
    dockerHost: d.dockerHost,
    processes: () => berthProcesses(d.pid, d.execRoot),
    stop: async () => void (await d.stop()),
  };
}

/**
 * The dockerd to compare with: the socket `--peer` names (left running), else a dockerd started here when Debian's
 * docker.io is installed, else none, with the reason. The one started here gets a bridge of our own (never docker0)
 * so bridge and published-port scenarios compare too; it still runs without iptables, so published ports go through
 * its userland `docker-proxy`, which is how dockerd serves loopback clients anyway.
 */
export async function resolvePeer(peer: string | undefined, spawn: boolean): Promise<{ target?: StartedTarget; note: string }> {
  if (peer) {
    const socket = peer.replace(/^unix:\/\//, '');
    if ((await pingSocket(socket)) !== 200) throw new Error(`--peer ${peer}: no Docker API answers /_ping there`);
    const label = `dockerd ${await engineVersion(socket)} (${peer})`;
    return { target: { kind: 'dockerd', label, socket, dockerHost: `unix://${socket}`, stop: async () => {} }, note: label };
  }
  if (!spawn) return { note: 'no peer: --no-peer given' };
  if (!findDockerd()) return { note: 'no peer dockerd found: install Debian docker.io or pass --peer unix:///path/to/docker.sock' };
  let bridge = await createBridge();
  let d: RunningDockerd;
  try {
    d = await startDockerd('alloc' in bridge ? { bridge: bridge.alloc.bridgeName } : {});
  } catch (err) {
    if (!('alloc' in bridge)) throw err;
    // Bridge-less is still worth comparing: fall back and say why bridge scenarios lack a peer figure.
    await deleteBridge(bridge.alloc);
    bridge = { reason: `the peer dockerd did not start on its own bridge: ${(err as Error).message.split('\n')[0]}` };
    d = await startDockerd();
  }
  const alloc = 'alloc' in bridge ? bridge.alloc : undefined;
  const net = alloc ? `bridge ${alloc.bridgeName} ${alloc.subnet}` : 'no bridge';
  const label = `dockerd ${await engineVersion(d.socket)} (started here, ${net}, no iptables)`;
  return {
    target: {
      kind: 'dockerd',
      label,
      socket: d.socket,
      dockerHost: d.dockerHost,
      processes: () => dockerdProcesses(d.pid, d.execRoot),
      ...('reason' in bridge ? { noBridge: bridge.reason } : {}),
      stop: async () => {
        await d.stop();
        if (alloc) await deleteBridge(alloc);
      },
    },
    note: label,
  };
}

/** A bridge named and numbered by the rig's allocator (`bt…`, a free /24 of 10.213/16), or why there is none. */
async function createBridge(): Promise<{ alloc: BridgeAllocation } | { reason: string }> {
  const alloc = allocateBridge();
  try {
    await run('ip', ['link', 'add', 'name', alloc.bridgeName, 'type', 'bridge']);
    await run('ip', ['addr', 'add', alloc.bip, 'dev', alloc.bridgeName]);
    await run('ip', ['link', 'set', alloc.bridgeName, 'up']);
    return { alloc };
  } catch (err) {
    await deleteBridge(alloc);
    return { reason: `could not create a bridge for the peer dockerd: ${(err as Error).message.split('\n')[0]}` };
  }
}

async function deleteBridge(alloc: BridgeAllocation): Promise<void> {
  await run('ip', ['link', 'del', alloc.bridgeName]).catch(() => undefined);
  releaseBridge(alloc);
}

function engineVersion(socketPath: string): Promise<string> {
  return new Promise((resolve) => {
    http
      .get({ socketPath, path: '/version' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          try {
            resolve(String((JSON.parse(body) as { Version?: string }).Version ?? '?'));
          } catch {
            resolve('?');
          }
        });
      })
      .on('error', () => resolve('?'));
  });
}
