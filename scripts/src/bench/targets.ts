import http from 'node:http';
import { startBerthd } from '../testrig/berthd.js';
import { findDockerd, startDockerd } from '../testrig/dockerd.js';
import { pingSocket } from '../testrig/ping.js';
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
    stop: async () => void (await d.stop()),
  };
}

/**
 * The dockerd to compare with: the socket `--peer` names (left running), else a dockerd started here when Debian's
 * docker.io is installed, else none, with the reason.
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
  const d = await startDockerd();
  const label = `dockerd ${await engineVersion(d.socket)} (started here)`;
  return {
    target: { kind: 'dockerd', label, socket: d.socket, dockerHost: d.dockerHost, stop: async () => void (await d.stop()) },
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
