import http from 'node:http';
import { startBerthd } from '../testrig/berthd.js';
import { findDockerd, startDockerd, type RunningDockerd } from '../testrig/dockerd.js';
import { pingSocket } from '../testrig/ping.js';
import { berthProcesses, dockerdProcesses } from './engine-processes.js';
import type { BenchTarget } from './scenario.js';

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
 * The dockerd to compare with: the socket `--peer` names (left running), else the rig's peer dockerd (Debian
 * bookworm's docker.io, unpacked into .cache/toolchain; fetched on first use), else none, with the reason. The one
 * started here gets a bridge of its own (never docker0) so bridge and published-port scenarios compare too; it
 * still runs without iptables, so published ports go through its userland `docker-proxy`, which is how dockerd
 * serves loopback clients anyway.
 */
export async function resolvePeer(peer: string | undefined, spawn: boolean): Promise<{ target?: StartedTarget; note: string }> {
  if (peer) {
    const socket = peer.replace(/^unix:\/\//, '');
    if ((await pingSocket(socket)) !== 200) throw new Error(`--peer ${peer}: no Docker API answers /_ping there`);
    const label = `dockerd ${await engineVersion(socket)} (${peer})`;
    return { target: { kind: 'dockerd', label, socket, dockerHost: `unix://${socket}`, stop: async () => {} }, note: label };
  }
  if (!spawn) return { note: 'no peer: --no-peer given' };
  try {
    findDockerd();
  } catch (err) {
    return { note: `no peer dockerd: ${(err as Error).message.split('\n')[0]} (or pass --peer unix:///path/to/docker.sock)` };
  }
  let d: RunningDockerd;
  let noBridge: string | undefined;
  try {
    d = await startDockerd();
  } catch (err) {
    // Bridge-less is still worth comparing: fall back and say why bridge scenarios lack a peer figure.
    noBridge = `the peer dockerd did not start on its own bridge: ${(err as Error).message.split('\n')[0]}`;
    d = await startDockerd({ bridge: 'none' });
  }
  const net = d.bridge ? `bridge ${d.bridge.bridgeName} ${d.bridge.subnet}` : 'no bridge';
  const label = `dockerd ${await engineVersion(d.socket)} (started here, ${net}, no iptables)`;
  return {
    target: {
      kind: 'dockerd',
      label,
      socket: d.socket,
      dockerHost: d.dockerHost,
      processes: () => dockerdProcesses(d.pid, d.execRoot),
      ...(noBridge ? { noBridge } : {}),
      stop: async () => void (await d.stop()),
    },
    note: label,
  };
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
