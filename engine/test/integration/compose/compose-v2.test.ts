import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchManifest, freeLoopbackPort, startRegistry, type TestRegistry } from '../../../../scripts/src/testrig/index.js';
import { httpGet } from '../http.js';
import { ComposeProject, ENGINES, eventually, pushBusybox, type ComposeEngine } from './compose-v2-harness.js';

// The real Compose v2 plugin (the rig's bundled docker CLI 26.1 + Compose 2.26.1) driving one project through a
// user's whole day, against berthd and against the dockerd peer: the same cases, so a difference is a finding.
// `up --build` (BuildKit) is covered by the build tests.

let registry: TestRegistry;
let busybox: string;
/** The same image under a name each engine pulls only in `up`, for two services at once. */
let podImage: string;

beforeAll(async () => {
  registry = await startRegistry();
  busybox = await pushBusybox(registry);
  podImage = await pushBusybox(registry, 'compose-v2/pod:1');
});
afterAll(async () => {
  await registry?.stop();
});

const COMPOSE_YAML = `
services:
  seed:
    image: \${BUSYBOX}
    command: ["sh", "-c", "mkdir -p /data/www && echo 'seeded by seed' > /data/www/index.html"]
    volumes: [content:/data]
  web:
    image: \${BUSYBOX}
    command: ["httpd", "-f", "-p", "80", "-h", "/data/www"]
    ports: ["127.0.0.1:\${WEB_PORT}:80"]
    volumes: [content:/data]
    networks: [front]
    stop_grace_period: 1s
    depends_on:
      seed: { condition: service_completed_successfully }
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 1s
      timeout: 2s
      retries: 30
    deploy:
      resources:
        limits: { cpus: "0.5", memory: 64M, pids: 64 }
        reservations: { memory: 16M }
  api:
    image: \${BUSYBOX}
    # Its first request proves web was healthy (serving) when api started; then it idles until stopped.
    command: ["sh", "-c", "wget -q -O- http://web/ || echo 'web was not ready'; trap 'exit 0' TERM; while :; do sleep 1 & wait $$!; done"]
    networks: [front]
    stop_grace_period: 2s
    depends_on:
      web: { condition: service_healthy }
  site:
    image: \${BUSYBOX}
    # The build section makes the service watchable; its image is local already, so up never builds it.
    build: ./site
    command: ["sh", "-c", "mkdir -p /www && exec httpd -f -p 80 -h /www"]
    ports: ["127.0.0.1:\${SITE_PORT}:80"]
    stop_grace_period: 1s
    develop:
      watch:
        - action: sync
          path: ./site/html
          target: /www
  tools:
    image: \${BUSYBOX}
    profiles: [debug]
    command: ["sleep", "600"]
    stop_grace_period: 1s
  reader:
    image: \${BUSYBOX}
    profiles: [tools]
    volumes:
      - type: volume
        source: content
        target: /srv
        volume: { subpath: www }
  release:
    image: \${REGISTRY}/compose-v2/\${ENGINE}-release:1
    build: ./release
    profiles: [release]
volumes:
  content:
    labels: { com.example.purpose: site-content }
networks:
  front:
    labels: { com.example.tier: front }
`;

describe.each(ENGINES)('Compose v2 against $name', (starter) => {
  let engine: ComposeEngine;
  let shop: ComposeProject;
  let webPort: number;
  let sitePort: number;
  const web = () => `http://127.0.0.1:${webPort}/`;

  beforeAll(async () => {
    engine = await starter.start(registry);
    [webPort, sitePort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    shop = new ComposeProject('shop', engine, {
      'compose.yaml': COMPOSE_YAML,
      '.env': `BUSYBOX=${busybox}\nREGISTRY=${registry.host}\nENGINE=${starter.name}\nWEB_PORT=${webPort}\nSITE_PORT=${sitePort}\n`,
      'site/Dockerfile': 'FROM scratch\n',
      'site/html/.keep': '',
      'release/Dockerfile': 'FROM scratch\n',
    });
  });
  afterAll(async () => {
    if (shop) await shop.run(['--profile', 'debug', 'down', '-v', '-t', '0']);
    await engine?.stop();
    shop?.remove();
  });

  it('config renders the project with .env interpolated and profiles listed', async () => {
    const model = JSON.parse(await shop.ok(['config', '--format', 'json'])) as {
      name: string;
      services: Record<string, { image: string; ports?: Array<{ published: string; host_ip: string; target: number }> }>;
    };
    expect(model.name).toBe('shop');
    expect(model.services.web?.image).toBe(busybox);
    expect(model.services.web?.ports).toEqual([expect.objectContaining({ host_ip: '127.0.0.1', published: String(webPort), target: 80 })]);
    expect((await shop.ok(['config', '--services'])).trim().split('\n').sort()).toEqual(['api', 'seed', 'site', 'web']);
    expect((await shop.ok(['config', '--profiles'])).trim().split('\n').sort()).toEqual(['debug', 'release', 'tools']);
  });

  it('pull fetches the images of a fresh project from the registry', async () => {
    const r = await shop.run(['pull']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Pulled/);
    expect(await shop.docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).toContain(busybox);
  });

  it('up -d --wait starts in dependency order and returns once everything is healthy', async () => {
    const r = await shop.run(['up', '-d', '--wait']);
    expect(r.code, `${r.stderr}\n${(await engine.logs()).slice(-3000)}`).toBe(0);
    expect(r.stderr).toMatch(/Container shop-web-1\s+Healthy/);
    // Published on 127.0.0.1, serving what the completed `seed` wrote into the shared volume.
    expect(await httpGet(web())).toBe('seeded by seed\n');
    // api started only once web was healthy: its very first request succeeded.
    expect((await shop.ok(['logs', '--no-log-prefix', 'api'])).split('\n')[0]).toBe('seeded by seed');
  });

  it('ps shows running services, health, ports, and the completed one-shot with -a', async () => {
    const rows = (await shop.ok(['ps', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const byService = Object.fromEntries(rows.map((r) => [r.Service, r]));
    expect(Object.keys(byService).sort()).toEqual(['api', 'site', 'web']);
    expect(byService.web).toMatchObject({ Name: 'shop-web-1', State: 'running', Health: 'healthy' });
    expect(byService.web?.Publishers).toEqual(expect.arrayContaining([expect.objectContaining({ URL: '127.0.0.1', PublishedPort: webPort, TargetPort: 80 })]));
    expect(byService.api).toMatchObject({ State: 'running' });
    const all = await shop.ok(['ps', '-a', '--format', '{{.Service}} {{.State}} {{.ExitCode}}']);
    expect(all).toMatch(/^seed exited 0$/m);
  });

  it('creates the named volume and networks, labelled for the project', async () => {
    expect(await shop.docker(['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project=shop'])).toBe('shop_content');
    expect(await shop.docker(['volume', 'inspect', '-f', '{{index .Labels "com.example.purpose"}}', 'shop_content'])).toBe('site-content');
    const nets = await shop.docker(['network', 'ls', '--filter', 'label=com.docker.compose.project=shop', '--format', '{{.Name}}']);
    expect(nets.split('\n').sort()).toEqual(['shop_default', 'shop_front']);
    expect(await shop.docker(['network', 'inspect', '-f', '{{index .Labels "com.example.tier"}}', 'shop_front'])).toBe('front');
  });

  it('applies deploy.resources limits to the container and its cgroup', async () => {
    const hc = JSON.parse(await shop.docker(['inspect', '-f', '{{json .HostConfig}}', 'shop-web-1'])) as Record<string, unknown>;
    expect(hc).toMatchObject({ NanoCpus: 500_000_000, Memory: 64 * 1024 * 1024, MemoryReservation: 16 * 1024 * 1024, PidsLimit: 64 });
    const cgroup = await shop.ok([
      'exec', '-T', 'web', 'sh', '-c',
      'if [ -f /sys/fs/cgroup/memory.max ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max; ' +
        'else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; ' +
        'echo "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"; fi',
    ]);
    expect(cgroup.trim().split('\n')).toEqual([String(64 * 1024 * 1024), '64', '50000 100000']);
  });

  it('exec runs in a service container, with stdin and the exit code passed through', async () => {
    expect(await shop.ok(['exec', '-T', 'web', 'cat', '/data/www/index.html'])).toBe('seeded by seed\n');
    const r = await shop.run(['exec', '-T', 'api', 'sh', '-c', 'cat; exit 7'], { input: 'from stdin\n' });
    expect(r.stdout).toBe('from stdin\n');
    expect(r.code).toBe(7);
  });

  it('run --rm runs a one-off container with the service config and removes it', async () => {
    const r = await shop.run(['run', '--rm', 'seed', 'sh', '-c', 'cat /data/www/index.html; exit 3']);
    expect(r.stdout).toBe('seeded by seed\n');
    expect(r.code).toBe(3);
    expect(await shop.docker(['ps', '-aq', '--filter', 'label=com.docker.compose.project=shop', '--filter', 'label=com.docker.compose.oneoff=True'])).toBe('');
  });

  it('volume.subpath mounts one directory of a named volume', async () => {
    const seen = await shop.ok(['run', '--rm', 'reader', 'sh', '-c', 'ls /srv']);
    // dockerd 20.10 (API 1.41) predates VolumeOptions.Subpath (1.45): it mounts the whole volume, silently.
    expect(seen.trim()).toBe(starter.name === 'dockerd' ? 'www' : 'index.html');
  });

  it('logs -f prints what a service writes while it follows', async () => {
    const follow = shop.follow(['logs', '-f', '--no-log-prefix', 'api']);
    try {
      await follow.waitFor(/seeded by seed/);
      await shop.ok(['exec', '-T', 'api', 'sh', '-c', 'echo "written while following" > /proc/1/fd/1']);
      await follow.waitFor(/written while following/);
    } finally {
      await follow.stop();
    }
  });

  it('top lists the processes of each service container', async () => {
    const out = await shop.ok(['top', 'web']);
    expect(out).toMatch(/^shop-web-1$/m);
    expect(out).toMatch(/UID\s+PID\s+PPID/);
    expect(out).toContain('httpd -f -p 80 -h /data/www');
  });

  it('cp copies files into and out of a service container', async () => {
    shop.write('in.txt', 'from the host\n');
    await shop.ok(['cp', path.join(shop.dir, 'in.txt'), 'web:/tmp/in.txt']);
    expect(await shop.ok(['exec', '-T', 'web', 'cat', '/tmp/in.txt'])).toBe('from the host\n');
    await shop.ok(['cp', 'web:/data/www/index.html', path.join(shop.dir, 'out.html')]);
    expect(readFileSync(path.join(shop.dir, 'out.html'), 'utf8')).toBe('seeded by seed\n');
  });

  it('events streams the container events of a restart, and the restarted services serve again', async () => {
    const events = shop.follow(['events', '--json']);
    try {
      // The stream has no ready line: poke until it shows an event, so the restart below is not missed.
      await eventually(async () => {
        await shop.ok(['exec', '-T', 'api', 'true']);
        return /"action":"exec_die"/.test(events.output) ? true : undefined;
      }, 'compose events to stream');
      await shop.ok(['restart', 'api']);
      await events.waitFor(/"action":"restart"[^\n]*"service":"api"|"service":"api"[^\n]*"action":"restart"/);
      const apiActions = events.output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { action: string; service: string })
        .filter((e) => e.service === 'api')
        .map((e) => e.action);
      expect(apiActions).toEqual(expect.arrayContaining(['kill', 'die', 'stop', 'start', 'restart']));
    } finally {
      await events.stop();
    }
    // api ran its command again: its log holds the first request of each run.
    await eventually(async () => ((await shop.ok(['logs', '--no-log-prefix', 'api'])).match(/seeded by seed/g)?.length === 2 ? true : undefined), 'api to log its second start');
  });

  it('restart brings a published service back on its port', async () => {
    const before = await shop.docker(['inspect', '-f', '{{.State.StartedAt}}', 'shop-web-1']);
    await shop.ok(['restart', 'web']);
    expect(await shop.docker(['inspect', '-f', '{{.State.StartedAt}}', 'shop-web-1'])).not.toBe(before);
    expect(await eventually(async () => ((await httpGet(web())) === 'seeded by seed\n' ? true : undefined), 'web to serve after restart')).toBe(true);
  });

  it('profiles: a profiled service starts only when its profile is enabled', async () => {
    expect((await shop.ok(['ps', '--services'])).trim().split('\n')).not.toContain('tools');
    await shop.ok(['--profile', 'debug', 'up', '-d', 'tools']);
    expect(await shop.ok(['--profile', 'debug', 'ps', '--format', '{{.Service}} {{.State}}'])).toMatch(/^tools running$/m);
  });

  it('watch syncs an edited file into the running container', async () => {
    expect(await httpGet(`http://127.0.0.1:${sitePort}/index.html`)).toMatch(/404 Not Found/);
    const watch = shop.follow(['watch', '--no-up', 'site']);
    try {
      await watch.waitFor(/Watch enabled/);
      shop.write('site/html/index.html', 'synced by watch\n');
      await watch.waitFor(/Syncing "site" after changes were detected/);
      const body = await eventually(async () => {
        const b = await httpGet(`http://127.0.0.1:${sitePort}/index.html`);
        return b === 'synced by watch\n' ? b : undefined;
      }, 'the synced file to be served');
      expect(body).toBe('synced by watch\n');
    } finally {
      await watch.stop();
    }
  });

  it('push sends a service image to the registry', async () => {
    const repo = `compose-v2/${starter.name}-release`;
    await shop.docker(['tag', busybox, `${registry.host}/${repo}:1`]);
    const r = await shop.run(['--profile', 'release', 'push', 'release']);
    expect(r.code, r.stderr).toBe(0);
    const pushed = await fetchManifest(registry, repo, '1');
    expect(pushed.status).toBe(200);
    expect(pushed.digest).toMatch(/^sha256:/);
  });

  it('a sidecar shares a service\'s network, PID and IPC namespaces (network_mode/pid/ipc: service:main)', async () => {
    // Both services use an image the engine does not have yet: up pulls it for both at once.
    const pod = new ComposeProject('pod', engine, {
      'compose.yaml': `
services:
  main:
    image: ${podImage}
    command: ["sh", "-c", "echo 'from main' > /dev/shm/token; exec httpd -f -p 8080 -h /etc"]
    hostname: mainhost
    ipc: shareable
    extra_hosts: ["db.internal:10.9.8.7"]
    stop_grace_period: 1s
  sidecar:
    image: ${podImage}
    command: ["sleep", "600"]
    network_mode: "service:main"
    pid: "service:main"
    ipc: "service:main"
    stop_grace_period: 1s
`,
    });
    try {
      await pod.ok(['up', '-d']);
      const seen = await pod.ok([
        'exec', '-T', 'sidecar', 'sh', '-c',
        'hostname; cat /dev/shm/token; grep db.internal /etc/hosts; wget -q -O- http://127.0.0.1:8080/hostname; ps -o comm | grep -c httpd',
      ]);
      expect(seen.split('\n')).toEqual(['mainhost', 'from main', '10.9.8.7\tdb.internal', 'mainhost', '1', '']);
    } finally {
      await pod.run(['down', '-t', '0']);
      pod.remove();
    }
  });

  it('down -v removes the containers, networks and volumes, and frees the port', async () => {
    const r = await shop.run(['--profile', 'debug', 'down', '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(await shop.docker(['ps', '-aq', '--filter', 'label=com.docker.compose.project=shop'])).toBe('');
    expect(await shop.docker(['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project=shop'])).toBe('');
    expect(await shop.docker(['network', 'ls', '-q', '--filter', 'label=com.docker.compose.project=shop'])).toBe('');
    await expect(httpGet(web())).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
  });
});
