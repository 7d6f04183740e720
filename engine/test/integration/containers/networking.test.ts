import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, httpGetEventually } from '../http.js';
import { startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  await rig?.docker(['rm', '-f', 'web', 'web2', 'db', 'exposed', 'dual', 'onother']);
  await rig?.docker(['network', 'rm', 'appnet', 'othernet']);
  await rig?.stop();
});

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'];

describe('published ports', () => {
  it('-p publishes a container port on the host, shown by docker port and docker ps', async () => {
    await rig.ok(['run', '-d', '--name', 'web', '-p', '127.0.0.1::80', rig.busybox, ...HTTPD]);
    const mapping = await rig.ok(['port', 'web', '80']);
    expect(mapping).toMatch(/^127\.0\.0\.1:\d+$/);
    const id = (await rig.ok(['inspect', '--format', '{{.Config.Hostname}}', 'web'])).trim();
    expect(await httpGetEventually(`http://${mapping}/`)).toBe(`hello from ${id}\n`);
    expect(await rig.ok(['ps', '--filter', 'name=web', '--format', '{{.Ports}}'])).toBe(`${mapping}->80/tcp`);
    const ports = JSON.parse(await rig.ok(['inspect', '--format', '{{json .NetworkSettings.Ports}}', 'web'])) as Record<string, Array<{ HostIp: string; HostPort: string }>>;
    expect(ports['80/tcp']?.[0]).toEqual({ HostIp: '127.0.0.1', HostPort: mapping.split(':')[1] });
  });

  it('refuses a host port that is taken, in dockerd\'s words', async () => {
    const port = (await rig.ok(['port', 'web', '80'])).split(':')[1] as string;
    await rig.ok(['create', '--name', 'web2', '-p', `127.0.0.1:${port}:80`, rig.busybox, ...HTTPD]);
    const r = await rig.docker(['start', 'web2']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Bind for 127.0.0.1:${port} failed: port is already allocated`);
  });

  it('frees the port when the container stops', async () => {
    const mapping = await rig.ok(['port', 'web', '80']);
    await rig.ok(['stop', '-t', '1', 'web']);
    await expect(httpGet(`http://${mapping}/`)).rejects.toThrow();
    await rig.ok(['start', 'web2']);
    expect(await httpGetEventually(`http://${mapping}/`)).toMatch(/^hello from /);
  });

  it('-P publishes exposed ports on ephemeral host ports', async () => {
    await rig.ok(['run', '-d', '--name', 'exposed', '--expose', '80', '-P', rig.busybox, ...HTTPD]);
    const mapping = (await rig.ok(['port', 'exposed', '80'])).split('\n')[0] as string;
    const port = Number(mapping.split(':').pop());
    expect(port).toBeGreaterThan(1023);
    expect(await httpGetEventually(`http://127.0.0.1:${port}/`)).toMatch(/^hello from /);
  });
});

describe('user-defined networks', () => {
  it('containers find each other by name and alias through the embedded DNS', async () => {
    await rig.ok(['network', 'create', 'appnet']);
    await rig.ok(['run', '-d', '--name', 'db', '--network', 'appnet', '--network-alias', 'database', rig.busybox, ...HTTPD]);
    expect(await rig.exitCode(['--network', 'appnet', rig.busybox, 'ping', '-c', '1', '-W', '3', 'db'])).toBe(0);
    expect(await rig.exitCode(['--network', 'appnet', rig.busybox, 'ping', '-c', '1', '-W', '3', 'database'])).toBe(0);
    // A container on the default bridge does not see names of another network.
    expect(await rig.exitCode([rig.busybox, 'sh', '-c', 'ping -c 1 -W 2 db'])).not.toBe(0);
  });

  it('network connect and disconnect change a running container\'s networks', async () => {
    await rig.ok(['network', 'create', 'othernet']);
    await rig.ok(['network', 'connect', 'othernet', 'db']);
    const nets = JSON.parse(await rig.ok(['inspect', '--format', '{{json .NetworkSettings.Networks}}', 'db'])) as Record<string, { IPAddress: string }>;
    expect(Object.keys(nets).sort()).toEqual(['appnet', 'othernet']);
    expect(nets.othernet?.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await rig.exitCode(['--network', 'othernet', rig.busybox, 'ping', '-c', '1', '-W', '3', 'db'])).toBe(0);
    const inspected = JSON.parse(await rig.ok(['network', 'inspect', 'othernet', '--format', '{{json .Containers}}'])) as Record<string, { Name: string }>;
    expect(Object.values(inspected).map((c) => c.Name)).toContain('db');
    await rig.ok(['network', 'disconnect', 'othernet', 'db']);
    const after = JSON.parse(await rig.ok(['inspect', '--format', '{{json .NetworkSettings.Networks}}', 'db'])) as Record<string, unknown>;
    expect(Object.keys(after)).toEqual(['appnet']);
  });

  it("a container that leaves the network its 127.0.0.11 went to still resolves through its other network's", async () => {
    await rig.ok(['run', '-d', '--name', 'dual', '--network', 'appnet', rig.busybox, 'sleep', '3600']);
    await rig.ok(['network', 'connect', 'othernet', 'dual']);
    await rig.ok(['run', '-d', '--name', 'onother', '--network', 'othernet', rig.busybox, 'sleep', '3600']);
    const ip = await rig.ok(['inspect', '--format', '{{.NetworkSettings.Networks.othernet.IPAddress}}', 'onother']);
    await rig.ok(['network', 'disconnect', 'appnet', 'dual']);
    expect(await rig.ok(['exec', 'dual', 'nslookup', 'onother'])).toContain(ip);
    expect((await rig.docker(['exec', 'dual', 'nslookup', 'db'])).code).not.toBe(0);
  });

  it('a container connected again to the only network it left resolves its names there, at a new address', async () => {
    await rig.ok(['run', '-d', '--name', 'rejoin', '--network', 'othernet', rig.busybox, 'sleep', '3600']);
    await rig.ok(['network', 'disconnect', 'othernet', 'rejoin']);
    await rig.ok(['network', 'connect', 'othernet', 'rejoin']);
    const ip = await rig.ok(['inspect', '--format', '{{.NetworkSettings.Networks.othernet.IPAddress}}', 'onother']);
    expect(await rig.ok(['exec', 'rejoin', 'nslookup', 'onother'])).toContain(ip);
  });

  it('a container started on the default bridge reaches a user network\'s names at 127.0.0.11 once connected to it', async () => {
    await rig.ok(['run', '-d', '--name', 'latecomer', rig.busybox, 'sleep', '3600']);
    await rig.ok(['network', 'connect', 'othernet', 'latecomer']);
    const ip = await rig.ok(['inspect', '--format', '{{.NetworkSettings.Networks.othernet.IPAddress}}', 'onother']);
    // Its resolv.conf still names the host's servers (as dockerd leaves it); 127.0.0.11 answers when asked.
    expect(await rig.ok(['exec', 'latecomer', 'nslookup', 'onother', '127.0.0.11'])).toContain(ip);
  });

  it('refuses a network that does not exist', async () => {
    const r = await rig.docker(['run', '-d', '--network', 'nosuchnet', rig.busybox, 'true']);
    expect(r.stderr).toContain('network nosuchnet not found');
  });

  it('--network none has only loopback; host shares the host\'s network', async () => {
    expect(await rig.exitCode(['--network', 'none', rig.busybox, 'sh', '-c', '[ "$(ls /sys/class/net)" = lo ]'])).toBe(0);
    const files = 'grep -q "^10.1.2.3[[:space:]]db$" /etc/hosts && grep -q "^nameserver 10.9.9.9$" /etc/resolv.conf && grep -q "^127.0.0.1[[:space:]]localhost$" /etc/hosts';
    expect(await rig.exitCode(['--network', 'none', '--add-host', 'db:10.1.2.3', '--dns', '10.9.9.9', rig.busybox, 'sh', '-c', files])).toBe(0);
    expect(await rig.exitCode(['--network', 'host', rig.busybox, 'sh', '-c', '[ "$(ls /sys/class/net | wc -l)" -gt 1 ]'])).toBe(0);
  });
});
