import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Facts about the machine berthd runs on, read once: they go into /info and /version. */
export interface HostFacts {
  hostname: string;
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  architecture: string;
  goArch: string;
  ncpu: number;
  memTotal: number;
  cgroupVersion: '1' | '2';
  ipv4Forwarding: boolean;
}

function readOsRelease(): Record<string, string> {
  const text = (() => {
    for (const f of ['/etc/os-release', '/usr/lib/os-release']) {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        /* try the next one */
      }
    }
    return '';
  })();
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1] as string] = (m[2] as string).replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** Node's arch names → the `uname -m` spelling /info uses and the Go spelling /version uses. */
const ARCH: Record<string, { uname: string; go: string }> = {
  x64: { uname: 'x86_64', go: 'amd64' },
  arm64: { uname: 'aarch64', go: 'arm64' },
  arm: { uname: 'armv7l', go: 'arm' },
  ppc64: { uname: 'ppc64le', go: 'ppc64le' },
  s390x: { uname: 's390x', go: 's390x' },
  riscv64: { uname: 'riscv64', go: 'riscv64' },
};

export function readHostFacts(): HostFacts {
  const release = readOsRelease();
  const arch = ARCH[process.arch] ?? { uname: process.arch, go: process.arch };
  let forwarding = false;
  try {
    forwarding = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1';
  } catch {
    /* not Linux, or /proc not mounted */
  }
  return {
    hostname: os.hostname(),
    kernelVersion: os.release(),
    operatingSystem: release.PRETTY_NAME ?? `${os.type()} ${os.release()}`,
    osVersion: release.VERSION_ID ?? '',
    architecture: arch.uname,
    goArch: arch.go,
    ncpu: os.cpus().length,
    memTotal: os.totalmem(),
    // A unified hierarchy has cgroup.controllers at its root; a v1 or hybrid host does not.
    cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
    ipv4Forwarding: forwarding,
  };
}
