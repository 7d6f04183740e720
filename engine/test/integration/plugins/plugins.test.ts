import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartBerthdInPlace, startContainerRig, type ContainerRig } from '../containers/harness.js';
import { runPy } from '../docker-py/py.js';

/**
 * `docker plugin …` with the real CLI (and docker-py) against berthd: a plugin made from a rootfs + config.json
 * directory is stored, listed, inspected, configured, pushed to the test registry, installed back from it and
 * removed; its disabled state and settings survive a kill -9 of the engine; enabling one is refused plainly,
 * since berthd does not run plugins.
 */
let rig: ContainerRig;
let stopRestarted: (() => Promise<void>) | undefined;
let contextDir: string;
let remote: string;
let startedAt: number;

const CONFIG = {
  description: 'Berth test plugin',
  documentation: 'https://example.invalid/berth',
  entrypoint: ['/dummy'],
  network: { type: 'host' },
  interface: { types: ['docker.volumedriver/1.0'], socket: 'dummy.sock' },
  env: [{ name: 'DEBUG', settable: ['value'], value: '0' }],
};

beforeAll(async () => {
  rig = await startContainerRig();
  startedAt = Math.floor(Date.now() / 1000) - 1;
  remote = `${rig.registry.host}/berth-test/dummy-plugin`;
  contextDir = await mkdtemp(path.join(tmpdir(), 'plugin-ctx-'));
  await mkdir(path.join(contextDir, 'rootfs', 'etc'), { recursive: true });
  await writeFile(path.join(contextDir, 'rootfs', 'dummy'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  await writeFile(path.join(contextDir, 'rootfs', 'etc', 'hello'), 'hello from the plugin rootfs\n');
  await writeFile(path.join(contextDir, 'config.json'), JSON.stringify(CONFIG));
});

afterAll(async () => {
  for (const name of [remote, 'berth-test/dummy', 'docker-sdk-py/dummy', 'py-installed']) await rig?.docker(['plugin', 'rm', '-f', name]);
  await stopRestarted?.();
  await rig?.stop();
  if (contextDir) await rm(contextDir, { recursive: true, force: true });
});

/** The parts of `docker plugin inspect` these tests read. */
interface PluginJson {
  Id: string;
  Name: string;
  Enabled: boolean;
  PluginReference: string;
  Config: { Entrypoint: string[]; Interface: unknown; Network: unknown; rootfs: { type: string } } & Record<string, unknown>;
  Settings: { Env: string[] };
}

/** `docker events` of type plugin since the rig started (the engine keeps them in memory, as dockerd). */
const pluginEvents = async (): Promise<string[]> =>
  (
    await rig.ok([
      'events', '--since', String(startedAt), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'type=plugin',
      '--format', '{{.Action}} {{.Actor.Attributes.name}}',
    ])
  ).split('\n');

const inspect = async (name: string): Promise<PluginJson> => (JSON.parse(await rig.ok(['plugin', 'inspect', name])) as PluginJson[])[0]!;

describe('docker plugin on berthd', () => {
  it('lists no plugins on a new engine', async () => {
    const r = await rig.docker(['plugin', 'ls']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^ID\s+NAME\s+DESCRIPTION\s+ENABLED$/)]);
  });

  it('creates a plugin from a rootfs + config.json directory, lists, inspects and configures it', async () => {
    expect(await rig.ok(['plugin', 'create', 'berth-test/dummy', contextDir])).toBe('berth-test/dummy');
    const ls = await rig.ok(['plugin', 'ls', '--format', '{{.Name}}|{{.Description}}|{{.Enabled}}']);
    expect(ls).toBe('berth-test/dummy:latest|Berth test plugin|false');
    const p = await inspect('berth-test/dummy');
    // In dockerd's field order (Go's), since the CLI prints the daemon's bytes.
    expect(Object.keys(p)).toEqual(['Config', 'Enabled', 'Id', 'Name', 'PluginReference', 'Settings']);
    expect(Object.keys(p.Config)).toEqual([
      'Args', 'Description', 'DockerVersion', 'Documentation', 'Entrypoint', 'Env', 'Interface', 'IpcHost', 'Linux',
      'Mounts', 'Network', 'PidHost', 'PropagatedMount', 'User', 'WorkDir', 'rootfs',
    ]);
    expect(p.Id).toMatch(/^[a-f0-9]{64}$/);
    expect(p.Name).toBe('berth-test/dummy:latest');
    expect(p.Enabled).toBe(false);
    expect(p.PluginReference).toBe('berth-test/dummy:latest');
    expect(p.Config.Entrypoint).toEqual(['/dummy']);
    expect(p.Config.Interface).toEqual({ Socket: 'dummy.sock', Types: ['docker.volumedriver/1.0'] });
    expect(p.Config.Network).toEqual({ Type: 'host' });
    expect(p.Config.rootfs.type).toBe('layers');
    expect(p.Settings).toEqual({ Args: [], Devices: [], Env: ['DEBUG=0'], Mounts: [] });
    // By ID prefix, as dockerd resolves it.
    expect((await inspect(p.Id.slice(0, 12))).Name).toBe('berth-test/dummy:latest');
    // The rootfs is stored as the context had it.
    const rootfs = path.join(rig.berthd.dataRoot, 'plugins', p.Id, 'rootfs');
    expect((await readdir(rootfs)).sort()).toEqual(['dummy', 'etc']);

    await rig.ok(['plugin', 'set', 'berth-test/dummy', 'DEBUG=1']);
    expect((await inspect('berth-test/dummy')).Settings.Env).toEqual(['DEBUG=1']);
    const bad = await rig.docker(['plugin', 'set', 'berth-test/dummy', 'NOPE=1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error response from daemon: setting "NOPE" not found in the plugin configuration');
  });

  it('refuses a second plugin of the same name and a context without rootfs, as dockerd', async () => {
    const again = await rig.docker(['plugin', 'create', 'berth-test/dummy', contextDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error response from daemon: plugin berth-test/dummy:latest already exists');
    const empty = await mkdtemp(path.join(tmpdir(), 'plugin-empty-'));
    try {
      await writeFile(path.join(empty, 'config.json'), '{}');
      const r = await rig.docker(['plugin', 'create', 'berth-test/norootfs', empty]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no rootfs found');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    expect(await rig.ok(['plugin', 'ls', '--format', '{{.Name}}'])).toBe('berth-test/dummy:latest');
  });

  it('refuses to enable a plugin, saying berthd does not run plugins, and leaves it disabled', async () => {
    const r = await rig.docker(['plugin', 'enable', 'berth-test/dummy']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('plugin berth-test/dummy:latest cannot be enabled: berthd does not run managed plugins');
    expect(r.stderr).toContain('docker.volumedriver/1.0');
    expect((await inspect('berth-test/dummy')).Enabled).toBe(false);
    const d = await rig.docker(['plugin', 'disable', 'berth-test/dummy']);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('Error response from daemon: plugin is already disabled: plugin berth-test/dummy:latest found but disabled');
    const missing = await rig.docker(['plugin', 'inspect', 'no-such-plugin']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('plugin "no-such-plugin" not found');
  });

  it('pushes a plugin to a registry and installs it back, with its privileges asked first', async () => {
    expect(await rig.ok(['plugin', 'create', remote, contextDir])).toBe(remote);
    const push = await rig.ok(['plugin', 'push', remote]);
    expect(push).toMatch(/latest: digest: sha256:[a-f0-9]{64} size: \d+/);
    await rig.ok(['plugin', 'rm', remote]);
    // A plugin is not an image.
    const asImage = await rig.docker(['pull', remote]);
    expect(asImage.code).toBe(1);
    expect(asImage.stderr).toContain('Error response from daemon: Encountered remote "application/vnd.docker.plugin.v1+json"(plugin) when fetching');

    // Refusing the privileges installs nothing.
    const refused = await rig.docker(['plugin', 'install', remote], { input: 'n\n' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('is requesting the following privileges:\n - network: [host]\n');
    expect(refused.stderr).toContain('permission denied while installing plugin');
    expect(await rig.ok(['plugin', 'ls', '--format', '{{.Name}}'])).toBe('berth-test/dummy:latest');

    const installed = await rig.docker(['plugin', 'install', '--grant-all-permissions', '--disable', remote]);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain('Download complete');
    expect(installed.stdout).toContain('Installed plugin');
    const p = await inspect(remote);
    expect(p.Enabled).toBe(false);
    expect(p.PluginReference).toBe(`${remote}:latest`);
    expect(p.Config.Entrypoint).toEqual(['/dummy']);
    expect(p.Settings.Env).toEqual(['DEBUG=0']);

    // Without --disable the CLI enables what it installed: the plugin stays, disabled, with berthd's reason.
    await rig.ok(['plugin', 'rm', remote]);
    const enabling = await rig.docker(['plugin', 'install', '--grant-all-permissions', remote]);
    expect(enabling.code).toBe(1);
    expect(enabling.stderr).toContain('berthd does not run managed plugins');
    expect((await inspect(remote)).Enabled).toBe(false);

    expect(await pluginEvents()).toEqual(
      expect.arrayContaining(['create berth-test/dummy:latest', `create ${remote}:latest`, `remove ${remote}`, `pull ${remote}:latest`]),
    );

    // An image is not a plugin.
    const image = await rig.docker(['plugin', 'install', '--grant-all-permissions', rig.busybox]);
    expect(image.code).toBe(1);
    expect(image.stderr).toContain(`did not find plugin config for specified reference ${rig.busybox}`);
  });

  it('keeps plugins, their settings and their state through kill -9 of the engine', async () => {
    process.kill(rig.berthd.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    stopRestarted = await restartBerthdInPlace(rig.berthd, [rig.registry.host]);
    const ls = (await rig.ok(['plugin', 'ls', '--format', '{{.Name}} {{.Enabled}}'])).split('\n').sort();
    expect(ls).toEqual([`${remote}:latest false`, 'berth-test/dummy:latest false']);
    expect((await inspect('berth-test/dummy')).Settings.Env).toEqual(['DEBUG=1']);
  });

  it('removes plugins with their rootfs and blobs', async () => {
    const id = (await inspect('berth-test/dummy')).Id;
    expect(await rig.ok(['plugin', 'rm', 'berth-test/dummy'])).toBe('berth-test/dummy');
    expect(await rig.ok(['plugin', 'rm', remote])).toBe(remote);
    expect(await rig.ok(['plugin', 'ls', '-q'])).toBe('');
    const left = await readdir(path.join(rig.berthd.dataRoot, 'plugins'));
    expect(left).not.toContain(id);
    expect(left.filter((n) => /^[a-f0-9]{64}$/.test(n))).toEqual([]);
    expect(await readdir(path.join(rig.berthd.dataRoot, 'plugins', 'storage', 'blobs', 'sha256'))).toEqual([]);
    expect(await pluginEvents()).toEqual(expect.arrayContaining(['remove berth-test/dummy', `remove ${remote}`]));
    const gone = await rig.docker(['plugin', 'rm', 'berth-test/dummy']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('Error response from daemon: plugin "berth-test/dummy" not found');
  });
});

describe('docker-py 5.0.3 plugin calls on berthd', () => {
  // Installs the plugin the CLI pushed to the test registry above.
  it('creates, inspects, asks privileges of, pulls, configures and removes plugins as on dockerd', async () => {
    const got = await runPy<Record<string, unknown>>(
      rig.berthd.dockerHost,
      rig.busybox,
      `
out = {}
ctx = sys.argv[3]
remote = sys.argv[4]
out["create"] = api.create_plugin("docker-sdk-py/dummy", ctx)
out["entrypoint"] = api.inspect_plugin("docker-sdk-py/dummy")["Config"]["Entrypoint"]
prv = api.plugin_privileges(remote)
out["privileges"] = prv
out["missing_privileges"] = api.plugin_privileges("127.0.0.1:1/nothing/here")
try:
    list(api.pull_plugin("127.0.0.1:1/nothing/here", []))
except docker.errors.APIError as e:
    out["unreachable"] = [e.status_code, e.explanation]
logs = list(api.pull_plugin(remote, prv, name="py-installed"))
out["pulled"] = any(l.get("status") == "Download complete" for l in logs)
api.configure_plugin("py-installed", {"DEBUG": "1"})
out["env"] = api.inspect_plugin("py-installed")["Settings"]["Env"]
out["names"] = sorted(p["Name"] for p in api.plugins())
try:
    api.enable_plugin("py-installed")
except docker.errors.APIError as e:
    out["enable"] = [e.status_code, e.explanation]
out["remove"] = [api.remove_plugin("py-installed"), api.remove_plugin("docker-sdk-py/dummy")]
try:
    api.inspect_plugin("py-installed")
except docker.errors.NotFound as e:
    out["gone"] = e.explanation
emit(out)
`,
      120_000,
      [contextDir, remote],
    );
    expect(got.create).toBe(true);
    expect(got.entrypoint).toEqual(['/dummy']);
    expect(got.privileges).toEqual([{ Name: 'network', Description: 'permissions to access a network', Value: ['host'] }]);
    expect(got.missing_privileges).toEqual([]);
    expect(got.unreachable).toEqual([500, expect.stringMatching(/^error resolving plugin reference: /)]);
    expect(got.pulled).toBe(true);
    expect(got.env).toEqual(['DEBUG=1']);
    expect(got.names).toEqual(['docker-sdk-py/dummy:latest', 'py-installed:latest']);
    expect(got.enable).toEqual([501, expect.stringContaining('berthd does not run managed plugins')]);
    expect(got.remove).toEqual([true, true]);
    expect(got.gone).toBe('plugin "py-installed" not found');
  });
});
