import { describe, expect, it } from 'vitest';
import { kernelCmdline, qemuCommand, type QemuLaunchSpec } from './command-line.js';

const base: QemuLaunchSpec = {
  platform: 'linux',
  arch: 'x64',
  accel: 'tcg',
  cpus: 2,
  memoryMiB: 2048,
  kernel: '/img/vmlinuz',
  initrd: '/img/initrd.img',
  rootfs: '/img/rootfs.squashfs',
  dataDisk: '/h/vm/data.qcow2',
  seedDisk: '/h/vm/seed.tar',
  sshPort: 40022,
  qmp: '/h/vm/qmp.sock',
  consoleLog: '/h/logs/console.log',
  stagesFile: '/h/vm/stages.log',
  controlSocket: '/h/vm/control.sock',
  pidFile: '/h/vm/qemu.pid',
};

function argAfter(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));
}

describe('qemuCommand', () => {
  it('boots the kernel directly under TCG on Linux with the disks in a fixed order', () => {
    const { binary, args } = qemuCommand(base);
    expect(binary).toBe('qemu-system-x86_64');
    expect(argAfter(args, '-accel')).toEqual(['tcg,tb-size=64']);
    expect(argAfter(args, '-machine')).toEqual(['q35']);
    expect(argAfter(args, '-device').filter((d) => d.startsWith('virtio-blk'))).toEqual([
      'virtio-blk-pci,drive=root,serial=berth-root',
      'virtio-blk-pci,drive=data,serial=berth-data',
      'virtio-blk-pci,drive=seed,serial=berth-seed',
    ]);
    expect(argAfter(args, '-drive')[1]).toContain('discard=unmap');
    expect(argAfter(args, '-netdev')).toEqual(['user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22']);
    expect(argAfter(args, '-qmp')).toEqual(['unix:/h/vm/qmp.sock,server=on,wait=off']);
    expect(argAfter(args, '-append')).toEqual([expect.stringMatching(/^console=ttyS0 root=\/dev\/vda ro panic=-1 quiet /)]);
    expect(argAfter(args, '-append')[0]).toContain('tsc=reliable');
  });

  it('hands freed memory back (balloon free-page reporting) and gives the VM its start-stage port', () => {
    const { args } = qemuCommand(base);
    expect(argAfter(args, '-device')).toEqual(
      expect.arrayContaining(['virtio-balloon-pci,free-page-reporting=on', 'virtio-serial-pci', 'virtserialport,chardev=stages,name=org.berth.stages']),
    );
    expect(argAfter(args, '-chardev')).toContain('file,id=stages,path=/h/vm/stages.log');
  });

  it('gives the VM its control port (the go-ahead at the boot-snapshot point) and waits for a snapshot with incoming', () => {
    const { args } = qemuCommand(base);
    expect(argAfter(args, '-chardev')).toContain('socket,id=control,path=/h/vm/control.sock,server=on,wait=off');
    expect(argAfter(args, '-device')).toContain('virtserialport,chardev=control,name=org.berth.control');
    expect(args).not.toContain('-incoming');
    expect(argAfter(qemuCommand({ ...base, incoming: true }).args, '-incoming')).toEqual(['defer']);
    expect(argAfter(qemuCommand({ ...base, platform: 'win32', controlSocket: 'berth-control' }).args, '-chardev')).toContain('pipe,id=control,path=berth-control');
  });

  it('uses KVM with the host CPU when the probe says it works', () => {
    const { args } = qemuCommand({ ...base, accel: 'kvm' });
    expect(argAfter(args, '-accel')).toEqual(['kvm']);
    expect(argAfter(args, '-cpu')).toEqual(['host']);
  });

  it('builds the Apple silicon variant: aarch64 virt machine with HVF and the PL011 console', () => {
    const { binary, args } = qemuCommand({ ...base, platform: 'darwin', arch: 'arm64', accel: 'hvf' });
    expect(binary).toBe('qemu-system-aarch64');
    expect(argAfter(args, '-machine')).toEqual(['virt,highmem=on']);
    expect(argAfter(args, '-accel')).toEqual(['hvf']);
    expect(argAfter(args, '-cpu')).toEqual(['host']);
    expect(argAfter(args, '-append')[0]).toContain('console=ttyAMA0');
    expect(kernelCmdline('arm64')).not.toContain('ttyS0');
    expect(kernelCmdline('arm64')).not.toMatch(/tsc=|i8042/);
  });

  it('builds the Windows variant: WHPX and QMP over a named pipe', () => {
    const { binary, args } = qemuCommand({ ...base, platform: 'win32', accel: 'whpx', qmp: 'berth-qmp' });
    expect(binary).toBe('qemu-system-x86_64.exe');
    expect(argAfter(args, '-accel')).toEqual(['whpx,kernel-irqchip=off']);
    expect(argAfter(args, '-chardev')).toContain('pipe,id=qmp,path=berth-qmp');
    expect(argAfter(args, '-mon')).toEqual(['chardev=qmp,mode=control']);
    expect(args).not.toContain('-qmp');
  });

  it('never puts key material on the kernel command line', () => {
    expect(kernelCmdline('x64')).not.toMatch(/key|ssh/i);
  });
});
