import type { Accelerator } from '../backend.js';

/** Everything the QEMU command line depends on; a pure input so every platform's variant is unit-tested here. */
export interface QemuLaunchSpec {
  platform: NodeJS.Platform;
  /** Guest architecture = host architecture (no cross-architecture emulation in production). */
  arch: 'x64' | 'arm64';
  accel: Accelerator;
  cpus: number;
  memoryMiB: number;
  kernel: string;
  initrd: string;
  rootfs: string;
  dataDisk: string;
  seedDisk: string;
  /** Loopback port forwarded to the guest's sshd. */
  sshPort: number;
  /** Unix socket path (macOS/Linux) or pipe name (Windows) of the QMP monitor. */
  qmp: string;
  consoleLog: string;
  /** File QEMU writes the VM's start-stage port (virtio-serial `org.berth.stages`) to; see guest-stages.ts. */
  stagesFile: string;
  /**
   * Unix socket (pipe name on Windows) of the virtio-serial port `org.berth.control`, on which the host sends the
   * VM its go-ahead at the boot-snapshot point (boot-snapshot.ts).
   */
  controlSocket: string;
  pidFile: string;
  /** Resume from a saved boot snapshot: QEMU waits for `migrate-incoming` instead of booting. */
  incoming?: boolean;
}

export interface QemuCommand {
  binary: string;
  args: string[];
}

/**
 * Boot-time options for a small VM, as microVM runtimes pass them (each is boot time under emulation):
 * no crypto self-tests, expedited RCU grace periods (module loading, network namespaces and nftables wait on them);
 * on x86 the TSC trusted as the clock (QEMU keeps it in step across vCPUs: without this the kernel finds it
 * "unsynchronized", calibrates the second CPU's delay loop the slow way and falls back to the HPET, whose every
 * read is an emulated device access) and no PS/2 controller probing.
 */
const FAST_BOOT: Record<QemuLaunchSpec['arch'], string[]> = {
  x64: ['cryptomgr.notests', 'rcupdate.rcu_expedited=1', 'tsc=reliable', 'no_timer_check', 'i8042.noaux', 'i8042.nomux', 'i8042.nopnp', 'i8042.dumbkbd'],
  arm64: ['cryptomgr.notests', 'rcupdate.rcu_expedited=1'],
};

/** Kernel command line: no secrets here (containers can read /proc/cmdline). */
export function kernelCmdline(arch: QemuLaunchSpec['arch']): string {
  const console = arch === 'arm64' ? 'ttyAMA0' : 'ttyS0';
  return [`console=${console}`, 'root=/dev/vda', 'ro', 'panic=-1', 'quiet', ...FAST_BOOT[arch]].join(' ');
}

function machine(spec: QemuLaunchSpec): string[] {
  if (spec.arch === 'arm64') return ['-machine', 'virt,highmem=on'];
  return ['-machine', 'q35'];
}

function accel(spec: QemuLaunchSpec): string[] {
  switch (spec.accel) {
    case 'tcg':
      // tb-size=64 cuts idle RSS of a 2 GiB guest from ~530 to ~300 MiB at no boot-time cost.
      return ['-accel', 'tcg,tb-size=64', '-cpu', 'max'];
    case 'whpx':
      // WHPX's in-kernel irqchip breaks Linux guests on many Windows builds.
      return ['-accel', 'whpx,kernel-irqchip=off', '-cpu', 'max'];
    case 'kvm':
    case 'hvf':
      return ['-accel', spec.accel, '-cpu', 'host'];
  }
}

function monitor(spec: QemuLaunchSpec): string[] {
  if (spec.platform === 'win32') {
    // QEMU on Windows has no unix sockets for chardevs: a named pipe (\\.\pipe\<name>) carries QMP.
    return ['-chardev', `pipe,id=qmp,path=${spec.qmp}`, '-mon', 'chardev=qmp,mode=control'];
  }
  return ['-qmp', `unix:${spec.qmp},server=on,wait=off`];
}

function control(spec: QemuLaunchSpec): string[] {
  const chardev = spec.platform === 'win32' ? `pipe,id=control,path=${spec.controlSocket}` : `socket,id=control,path=${spec.controlSocket},server=on,wait=off`;
  return ['-chardev', chardev, '-device', 'virtserialport,chardev=control,name=org.berth.control'];
}

function disk(id: string, file: string, format: 'raw' | 'qcow2', extra: string): string[] {
  return ['-drive', `if=none,id=${id},file=${file},format=${format}${extra}`, '-device', `virtio-blk-pci,drive=${id},serial=berth-${id}`];
}

export function qemuCommand(spec: QemuLaunchSpec): QemuCommand {
  const exe = spec.platform === 'win32' ? '.exe' : '';
  const binary = (spec.arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64') + exe;
  const args = [
    '-name', 'berth',
    ...machine(spec),
    ...accel(spec),
    '-smp', String(spec.cpus),
    '-m', String(spec.memoryMiB),
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', spec.kernel,
    '-initrd', spec.initrd,
    '-append', kernelCmdline(spec.arch),
    // Order matters: the root disk must be the first virtio disk (/dev/vda); the others are found by serial.
    ...disk('root', spec.rootfs, 'raw', ',readonly=on'),
    ...disk('data', spec.dataDisk, 'qcow2', ',discard=unmap,detect-zeroes=unmap'),
    ...disk('seed', spec.seedDisk, 'raw', ',readonly=on'),
    '-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${spec.sshPort}-:22`,
    '-device', 'virtio-net-pci,netdev=net0',
    '-device', 'virtio-rng-pci',
    // Free-page reporting: pages the VM frees (a container's memory after it exits) are handed back to the host
    // within seconds, so QEMU's RSS falls back towards idle instead of keeping the VM's high-water mark.
    '-device', 'virtio-balloon-pci,free-page-reporting=on',
    '-device', 'virtio-serial-pci',
    '-chardev', `file,id=stages,path=${spec.stagesFile}`,
    '-device', 'virtserialport,chardev=stages,name=org.berth.stages',
    ...control(spec),
    '-chardev', `file,id=console,path=${spec.consoleLog}`,
    '-serial', 'chardev:console',
    ...monitor(spec),
    '-pidfile', spec.pidFile,
    ...(spec.incoming ? ['-incoming', 'defer'] : []),
  ];
  return { binary, args };
}
