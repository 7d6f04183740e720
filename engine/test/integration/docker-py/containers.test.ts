import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { runPy } from './py.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  const left = (await rig?.docker(['ps', '-aq']))?.stdout.split('\n').filter(Boolean) ?? [];
  if (left.length > 0) await rig.docker(['rm', '-f', ...left]);
  await rig?.stop();
});

const py = <T>(body: string): Promise<T> => runPy<T>(rig.berthd.dockerHost, rig.busybox, body);

describe('docker-py 5.0.3 sees containers as on dockerd', () => {
  it('frames exec output by the start request Tty, not the exec one', async () => {
    const got = await py<string[]>(`
c = api.create_container(image, "sleep 600")
api.start(c)
out = []
e = api.exec_create(c, "echo with-tty", tty=True)
out.append(api.exec_start(e).decode())
e = api.exec_create(c, ["sh", "-c", "echo no-tty; echo err >&2"])
out.append(api.exec_start(e, tty=True).decode())
e = api.exec_create(c, ["sh", "-c", "echo plain"])
out.append(api.exec_start(e).decode())
api.remove_container(c, force=True)
emit(out)
`);
    // A TTY exec started without Tty: multiplexed, the terminal's \\r\\n inside; the opposite: raw stdout and stderr.
    expect(got[0]).toBe('with-tty\r\n');
    expect(got[1]?.split('\n').sort()).toEqual(['', 'err', 'no-tty']);
    expect(got[2]).toBe('plain\n');
  });

  it('detaches an exec with the detachKeys of the client config, and commits with the container recorded', async () => {
    const got = await py<Record<string, unknown>>(`
api._general_configs["detachKeys"] = "ctrl-p"
c = api.create_container(image, "cat", stdin_open=True)
api.start(c)
e = api.exec_create(c, "cat", stdin=True, tty=True)
sock = api.exec_start(e, tty=True, socket=True)
raw = sock._sock
raw.sendall(b"\\x10")
raw.settimeout(10)
out = {"after_detach": raw.recv(128).decode()}
img = api.commit(c["Id"])
# Container is shown below API 1.44, as dockerd 20.10 (API 1.41) shows it.
inspected = docker.APIClient(base_url=sys.argv[1], version="1.41").inspect_image(img["Id"])
out["container"] = inspected["Container"] == c["Id"]
out["parent"] = inspected["Parent"] == api.inspect_image(image)["Id"]
api.remove_container(c, force=True)
api.remove_image(img["Id"])
emit(out)
`);
    // The stream ends at the detach keys (lowercase `detachKeys` in the body is Go's DetachKeys).
    expect(got.after_detach).toBe('');
    expect(got.container).toBe(true);
    expect(got.parent).toBe(true);
  });

  it('commits and force-removes a container that is just exiting, 10 times each, without a runtime error', async () => {
    const got = await py<string[]>(`
errors = []
for i in range(10):
    c = api.create_container(image, ["touch", "/test"])
    api.start(c)
    try:
        img = api.commit(c["Id"])
        api.remove_image(img["Id"])
    except docker.errors.APIError as e:
        errors.append("commit: " + str(e))
    api.remove_container(c, force=True)
    c = api.create_container(image, "true")
    api.start(c)
    try:
        api.remove_container(c, force=True)
    except docker.errors.APIError as e:
        errors.append("rm -f: " + str(e))
emit(errors)
`);
    expect(got).toEqual([]);
  });

  it('gives --link targets env vars and hosts entries, and removes a link with DELETE ?link=1', async () => {
    const got = await py<Record<string, unknown>>(`
t = api.create_container(image, "cat", stdin_open=True, environment={"FOO": "1"}, name="linktarget")
api.start(t)
c = api.create_container(image, ["sh", "-c", "env; grep my-link /etc/hosts"], name="linker",
    host_config=api.create_host_config(links={"linktarget": "my-link"}, network_mode="bridge"))
api.start(c)
code = api.wait(c)["StatusCode"]
out = {"code": code, "logs": api.logs(c).decode()}
p = api.create_container(image, "cat", stdin_open=True, name="parent", host_config=api.create_host_config(links={"linktarget": "mylink"}))
api.remove_container("parent/mylink", link=True)
out["links_after"] = api.inspect_container(p)["HostConfig"]["Links"]
try:
    api.remove_container("parent/nolink", link=True)
except docker.errors.NotFound as e:
    out["missing"] = e.status_code
for x in (c, p, t):
    api.remove_container(x, force=True)
emit(out)
`);
    expect(got.code).toBe(0);
    const logs = String(got.logs);
    expect(logs).toContain('MY_LINK_NAME=/linker/my-link\n');
    expect(logs).toContain('MY_LINK_ENV_FOO=1\n');
    expect(logs).not.toContain('MY_LINK_ENV_PATH');
    expect(logs).toMatch(/\d+\.\d+\.\d+\.\d+\tmy-link linktarget [0-9a-f]{12}/);
    expect(got.links_after).toBeNull();
    expect(got.missing).toBe(404);
  });

  it('applies --device-cgroup-rule, a container-wide MacAddress and real-time CPU; refuses what it cannot apply', async () => {
    const got = await py<Record<string, unknown>>(`
out = {}
c = api.create_container(image, "cat /sys/fs/cgroup/devices/devices.list", host_config=api.create_host_config(device_cgroup_rules=["c 7:128 rwm"]))
api.start(c); api.wait(c)
out["devices"] = api.logs(c).decode()
api.remove_container(c)
c = api.create_container(image, ["sleep", "60"], mac_address="02:42:ac:11:00:0a")
api.start(c)
out["mac"] = api.inspect_container(c)["NetworkSettings"]["MacAddress"]
out["link"] = api.exec_start(api.exec_create(c, "cat /sys/class/net/eth0/address")).decode().strip()
api.remove_container(c, force=True)
for name, hc in (("storage", {"storage_opt": {"size": "120G"}}), ("rule", {"device_cgroup_rules": ["x 1:2 q"]}), ("rt", {"cpu_rt_period": 1000, "cpu_rt_runtime": 5000})):
    try:
        api.create_container(image, "true", host_config=api.create_host_config(**hc))
    except docker.errors.APIError as e:
        out[name] = [e.status_code, e.explanation]
c = api.create_container(image, "true", host_config=api.create_host_config(cpu_rt_period=1000, cpu_rt_runtime=500))
hc = api.inspect_container(c)["HostConfig"]
out["rt_ok"] = [hc["CpuRealtimePeriod"], hc["CpuRealtimeRuntime"]]
api.remove_container(c)
c = api.create_container(image, "true", host_config=api.create_host_config(restart_policy={"Name": "always"}, network_mode="none"))
api.start(c)
api.wait(c)
try:
    api.remove_container(c)
except docker.errors.APIError as e:
    out["restarting"] = e.status_code
api.remove_container(c, force=True)
emit(out)
`);
    expect(got.devices).toContain('c 7:128 rwm');
    expect(got.mac).toBe('02:42:ac:11:00:0a');
    expect(got.link).toBe('02:42:ac:11:00:0a');
    expect(got.storage).toEqual([400, "--storage-opt is supported only for overlay over xfs with 'pquota' mount option"]);
    expect(got.rule).toEqual([400, "invalid device cgroup format 'x 1:2 q'"]);
    expect(got.rt).toEqual([400, 'cpu-rt-runtime cannot be higher than cpu-rt-period']);
    expect(got.restarting).toBe(409);
    // docker-py spells it CPURealtimePeriod: Go's JSON takes field names in any case.
    expect(got.rt_ok).toEqual([1000, 500]);
  });
  it('answers a client pinned below API 1.42 in the words of dockerd 20.10, and names an unknown log driver as dockerd does', async () => {
    const got = await py<Record<string, unknown>>(`
old = docker.APIClient(base_url=sys.argv[1], version="1.41")
out = {}
c = api.create_container(image, "sleep 600")
api.start(c)
for name, client in (("old", old), ("new", api)):
    try:
        client.remove_container(c)
    except docker.errors.APIError as e:
        out[name] = [e.status_code, e.explanation]
out["id"] = c["Id"]
out["name"] = api.inspect_container(c)["Name"]
api.remove_container(c, force=True)
r = old.create_container(image, "true", host_config=old.create_host_config(restart_policy={"Name": "always"}, network_mode="none"))
old.start(r)
while not old.inspect_container(r)["State"]["Restarting"]:
    time.sleep(0.05)
try:
    old.remove_container(r)
except docker.errors.APIError as e:
    out["restarting"] = [e.status_code, e.explanation]
old.remove_container(r, force=True)
try:
    old.create_container(image, "true", host_config=old.create_host_config(log_config={"type": "asdf"}))
except docker.errors.APIError as e:
    out["logdriver"] = [e.status_code, e.explanation]
emit(out)
`);
    const id = String(got.id);
    expect(got.old).toEqual([409, `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`]);
    expect(got.new).toEqual([409, `cannot remove container "${String(got.name)}": container is running: stop the container before removing or force remove`]);
    expect((got.restarting as [number, string])[0]).toBe(409);
    // Restarting or, once the policy has run it again, running: dockerd 20.10 words both alike.
    expect((got.restarting as [number, string])[1]).toMatch(/^You cannot remove a (restarting|running) container [0-9a-f]{64}\. Stop the container before attempting removal or force remove$/);
    expect(got.logdriver).toEqual([400, 'error looking up logging plugin asdf: plugin "asdf" not found']);
  });

  it('runs an auto-remove container that fails into ContainerError, as containers.run does after start: logs, inspect, wait', async () => {
    // docker-py's own test_run_with_auto_remove_error: run() starts the container, then opens its logs (which
    // inspects it) and waits for it. The container lives 2 s; start must have answered long before it is removed.
    const got = await py<unknown[]>(`
out = []
try:
    client.containers.run(image, 'sh -c ">&2 echo error && sleep 2 && exit 1"', auto_remove=True)
    out.append("no error")
except docker.errors.ContainerError as e:
    out.append([e.exit_status, e.stderr])
emit(out)
`);
    expect(got).toEqual([[1, null]]);
  });
});
