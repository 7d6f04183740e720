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

describe('docker-py 5.0.3 sees networks as on dockerd', () => {
  it('reconnects a running container to the network it was disconnected from, with a fixed address and links', async () => {
    const got = await py<Record<string, unknown>>(`
net = api.create_network("pyreconnect", ipam=docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet="172.29.51.0/24")]))
c = api.create_container(image, "sleep 600", host_config=api.create_host_config(network_mode="pyreconnect"))
api.start(c)
api.disconnect_container_from_network(c, "pyreconnect")
api.connect_container_to_network(c, "pyreconnect", ipv4_address="172.29.51.23", links=[("upstream", "bar")])
ep = api.inspect_container(c)["NetworkSettings"]["Networks"]["pyreconnect"]
out = {"ip": ep["IPAddress"], "ipam": ep["IPAMConfig"], "links": ep["Links"], "ipam_options": api.inspect_network(net["Id"])["IPAM"]["Options"]}
u = api.create_container(image, "sleep 600", name="upstream", host_config=api.create_host_config(network_mode="pyreconnect"))
api.start(u)
e = api.exec_create(c, "nslookup bar")
out["lookup"] = api.exec_start(e).decode()
out["lookup_code"] = api.exec_inspect(e)["ExitCode"]
out["upstream_ip"] = api.inspect_container(u)["NetworkSettings"]["Networks"]["pyreconnect"]["IPAddress"]
try:
    api.connect_container_to_network(c, "pyreconnect")
except docker.errors.APIError as err:
    out["again"] = err.status_code
for x in (c, u):
    api.remove_container(x, force=True)
api.remove_network(net["Id"])
emit(out)
`);
    expect(got.ip).toBe('172.29.51.23');
    expect(got.ipam).toEqual({ IPv4Address: '172.29.51.23' });
    expect(got.links).toEqual(['upstream:bar']);
    expect(got.lookup_code).toBe(0);
    expect(got.lookup).toContain(String(got.upstream_ip));
    expect(got.again).toBe(403);
    // No IPAM options asked: null, as dockerd keeps it.
    expect(got.ipam_options).toBeNull();
  });

  it('keeps the endpoint config as asked in inspect: link-local IPs and driver options', async () => {
    const got = await py<Record<string, unknown>>(`
net = api.create_network("pyepconfig")
c = api.create_container(image, "sleep 600",
    host_config=api.create_host_config(network_mode="pyepconfig"),
    networking_config=api.create_networking_config({"pyepconfig": api.create_endpoint_config(link_local_ips=["169.254.8.8"], driver_opt={"com.example.opt": "1"})}))
created = api.inspect_container(c)["NetworkSettings"]["Networks"]["pyepconfig"]
api.start(c)
running = api.inspect_container(c)["NetworkSettings"]["Networks"]["pyepconfig"]
api.remove_container(c, force=True)
api.remove_network(net["Id"])
emit({"created": [created["IPAMConfig"], created["DriverOpts"]], "running": [running["IPAMConfig"], running["DriverOpts"]]})
`);
    const expected = [{ LinkLocalIPs: ['169.254.8.8'] }, { 'com.example.opt': '1' }];
    expect(got.created).toEqual(expected);
    expect(got.running).toEqual(expected);
  });
  it('makes a second network of a name for a client below API 1.44 that does not ask to check, with the warning dockerd 20.10 gave', async () => {
    const got = await py<Record<string, unknown>>(`
old = docker.APIClient(base_url=sys.argv[1], version="1.41")
out = {}
first = old.create_network("pydup")
for name, client, check in (("checked", old, True), ("new", api, None)):
    try:
        client.create_network("pydup", check_duplicate=check)
    except docker.errors.APIError as e:
        out[name] = [e.status_code, e.explanation]
second = old.create_network("pydup", check_duplicate=False)
out["first"] = first["Id"]
out["warning"] = second["Warning"]
try:
    old.inspect_network("pydup")
except docker.errors.APIError as e:
    out["by_name"] = [e.status_code, e.explanation]
out["by_id"] = old.inspect_network(second["Id"])["Name"]
old.remove_network(second["Id"])
out["left"] = old.inspect_network("pydup")["Id"]
old.remove_network(first["Id"])
emit(out)
`);
    expect(got.checked).toEqual([409, 'network with name pydup already exists']);
    expect(got.new).toEqual([409, 'network with name pydup already exists']);
    expect(got.warning).toBe(`Network with name pydup (id : ${String(got.first)}) already exists`);
    // dockerd 20.10 words it '2 matches found based on name: network pydup is ambiguous'; later ones as here.
    expect(got.by_name).toEqual([400, 'network pydup is ambiguous (2 matches found based on name)']);
    expect(got.by_id).toBe('pydup');
    expect(got.left).toBe(got.first);
  });
});
