import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  await rig?.stop();
});

describe('isolation a container gets by default', () => {
  it('has its own hostname (the short ID), PID 1 and only its own processes', async () => {
    expect(await rig.check([], '[ "$(hostname)" = "$(cat /etc/hostname)" ] && [ ${#HOSTNAME} -eq 12 ]')).toBe(0);
    expect(await rig.check([], '[ "$$" = 1 ] && [ "$(ls -d /proc/[0-9]* | wc -l)" -lt 10 ]')).toBe(0);
  });

  it('cannot see the host network interfaces', async () => {
    expect(await rig.check([], '! ls /sys/class/net | grep -qv "^lo$" || ls /sys/class/net | grep -q eth0')).toBe(0);
    const hostIfaces = readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]?.trim()).filter(Boolean);
    const outside = hostIfaces.find((i) => i !== 'lo') ?? 'lo';
    expect(await rig.check([], `! grep -q "${outside}:" /proc/net/dev`)).toBe(0);
  });

  it('masks sensitive /proc paths and mounts /proc/sys read-only', async () => {
    expect(await rig.check([], '[ ! -s /proc/kcore ] && ! echo 1 > /proc/sys/kernel/domainname')).toBe(0);
  });

  it('drops capabilities: no NET_ADMIN, no SYS_ADMIN by default', async () => {
    expect(await rig.check([], 'mkdir -p /m && ! ip link set lo mtu 1400 2>/dev/null && ! mount -t tmpfs none /m 2>/dev/null')).toBe(0);
    expect(await rig.check(['--cap-add', 'NET_ADMIN'], 'ip link set lo mtu 1400')).toBe(0);
    expect(await rig.check(['--privileged'], 'mkdir -p /m && mount -t tmpfs none /m')).toBe(0);
  });

  it('blocks syscalls of the default seccomp profile unless unconfined', async () => {
    // unshare(CLONE_NEWUSER) is refused by the default profile (and needs no capability otherwise).
    expect(await rig.check([], '! unshare -U true 2>/dev/null')).toBe(0);
    expect(await rig.check(['--security-opt', 'seccomp=unconfined', '--cap-add', 'SYS_ADMIN'], 'unshare -U true')).toBe(0);
  });
});

describe('container options', () => {
  it('--hostname, --env, --workdir, --user, --label', async () => {
    expect(await rig.check(['--hostname', 'box', '-e', 'GREETING=hi there', '-w', '/tmp'], '[ "$(hostname)" = box ] && [ "$GREETING" = "hi there" ] && [ "$PWD" = /tmp ]')).toBe(0);
    expect(await rig.check(['--user', '1000:1000'], '[ "$(id -u)" = 1000 ] && [ "$(id -g)" = 1000 ]')).toBe(0);
    await rig.ok(['create', '--name', 'labelled', '--label', 'com.example.team=core', rig.busybox, 'true']);
    expect(await rig.ok(['ps', '-a', '--filter', 'label=com.example.team=core', '--format', '{{.Names}}'])).toBe('labelled');
    await rig.ok(['rm', 'labelled']);
  });

  it('--entrypoint replaces the image entrypoint', async () => {
    const id = await rig.ok(['run', '-d', '--entrypoint', 'sh', rig.busybox, '-c', 'exit 7']);
    expect(await rig.ok(['wait', id])).toBe('7');
    expect(await rig.ok(['inspect', '--format', '{{.Path}} {{json .Args}}', id])).toBe('sh ["-c","exit 7"]');
  });

  it('--read-only makes the root filesystem read-only; --tmpfs gives a writable tmpfs', async () => {
    expect(await rig.check(['--read-only', '--tmpfs', '/scratch'], '! touch /nope 2>/dev/null && touch /scratch/yes && grep -q " /scratch tmpfs" /proc/mounts')).toBe(0);
  });

  it('--shm-size sizes /dev/shm', async () => {
    expect(await rig.check(['--shm-size', '8m'], 'grep " /dev/shm " /proc/mounts | grep -q "size=8192k"')).toBe(0);
  });

  it('--ulimit sets limits below the engine\'s own', async () => {
    expect(await rig.check(['--ulimit', 'nofile=512:1024'], '[ "$(ulimit -n)" = 512 ] && [ "$(ulimit -Hn)" = 1024 ]')).toBe(0);
  });

  it('--init runs the command under an init that reaps zombies', async () => {
    expect(await rig.check(['--init'], '[ "$(cat /proc/1/comm)" != sh ]')).toBe(0);
  });

  it('-v binds a host directory, creating it when missing', async () => {
    const dir = `/tmp/berth-bind-${process.pid}`;
    expect(await rig.check(['-v', `${dir}:/data`], 'echo written > /data/f')).toBe(0);
    expect(readFileSync(`${dir}/f`, 'utf8')).toBe('written\n');
    expect(await rig.check(['-v', `${dir}:/data:ro`], '! touch /data/g 2>/dev/null')).toBe(0);
  });
});

describe('resources', () => {
  it('--memory limits memory: the OOM killer ends the container, reported as OOMKilled and 137', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const id = await rig.ok(['run', '-d', '--memory', '16m', '--memory-swap', '16m', rig.busybox, 'sh', '-c', 'x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done']);
    expect(await rig.ok(['wait', id], { timeoutMs: 120_000 })).toBe('137');
    expect(await rig.ok(['inspect', '--format', '{{.State.OOMKilled}} {{.State.ExitCode}}', id])).toBe('true 137');
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const events = await rig.ok(['events', '--since', since, '--until', until, '--filter', `container=${id}`, '--format', '{{.Action}}']);
    expect(events.split('\n')).toContain('oom');
  });

  it('--pids-limit caps the number of processes', async () => {
    // Twelve background sleeps: fine without a limit; with 8 the shell's fork fails (fatal for sh, exit 2).
    const script = 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 5 & done; set -- /proc/[0-9]*; [ $# -gt 12 ]';
    expect(await rig.check([], script)).toBe(0);
    expect(await rig.check(['--pids-limit', '8'], script)).not.toBe(0);
  });
});
