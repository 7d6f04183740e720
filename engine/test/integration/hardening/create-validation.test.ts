// Finding 4 of issue 17: create (and exec create and start, update, commit, network create, connect and disconnect,
// volume create, auth) refuse what Go could not decode into dockerd's types,
// with dockerd's 400 and words, before anything is stored; resource ranges are checked at create, not first at
// start; no JavaScript TypeError reaches a client as a 500; JSON nesting is bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { apiRequest } from '../http.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
  await rig.ok(['run', '-d', '--name', 'target', rig.busybox, 'sleep', '3600']);
}, 120_000);
afterAll(async () => {
  await rig?.stop();
});

const post = (path: string, body: unknown) => apiRequest(rig.berthd.socket, 'POST', path, typeof body === 'string' ? body : JSON.stringify(body));
const names = async () => (await rig.ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter(Boolean).sort();

describe('container create', () => {
  it.each([
    [{ HostConfig: { Memory: '1g' } }, 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory of type int64'],
    [{ Env: 'A=1' }, 'json: cannot unmarshal string into Go struct field CreateRequest.Env of type []string'],
    [{ HostConfig: { Ulimits: 'nofile=1024' } }, 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Ulimits of type []container.Ulimit'],
    [{ HostConfig: { NanoCpus: 1.5 } }, 'json: cannot unmarshal number 1.5 into Go struct field HostConfig.HostConfig.NanoCpus of type int64'],
    [{ Cmd: 5 }, 'json: cannot unmarshal number into Go struct field CreateRequest.Cmd of type string'],
    [{ HostConfig: { RestartPolicy: 'always' } }, 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.RestartPolicy of type container.RestartPolicy'],
  ])('refuses %j with dockerd\'s decode error and stores nothing', async (extra, message) => {
    const before = await names();
    const r = await post('/containers/create?name=bad', { Image: rig.busybox, ...extra });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ message: `invalid JSON: ${message}` });
    expect(await names()).toEqual(before);
  });

  it('checks resource ranges at create, as dockerd does', async () => {
    const small = await post('/containers/create', { Image: rig.busybox, HostConfig: { Memory: 1024 * 1024 } });
    expect(small.status).toBe(400);
    expect(JSON.parse(small.body).message).toBe('Minimum memory limit allowed is 6MB');
    const negative = await post('/containers/create', { Image: rig.busybox, HostConfig: { NanoCpus: -1 } });
    expect(negative.status).toBe(400);
    expect(JSON.parse(negative.body).message).toMatch(/^Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available$/);
    const cli = await rig.docker(['create', '--memory', '1m', rig.busybox]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('Minimum memory limit allowed is 6MB');
  });

  it('still takes what Go takes: a string Cmd, lower-case keys, nulls', async () => {
    const r = await post('/containers/create?name=loose', { image: rig.busybox, Cmd: 'true', hostconfig: { memory: 64 * 1024 * 1024, Ulimits: null }, Env: null });
    expect(r.status).toBe(201);
    expect(await rig.ok(['inspect', '-f', '{{json .Config.Cmd}} {{.HostConfig.Memory}}', 'loose'])).toBe('["true"] 67108864');
  });

  it('bounds JSON nesting (5,000 levels) with a 400, never a 500', async () => {
    const deep = `{"Image":"x","Labels":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const r = await post('/containers/create', deep);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe('invalid JSON: exceeded max depth');
  });
});

describe('exec create and update', () => {
  it('refuses a number as the exec Cmd with a 400', async () => {
    const r = await post('/containers/target/exec', { Cmd: 5 });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe('invalid JSON: json: cannot unmarshal number into Go struct field ExecOptions.Cmd of type []string');
  });

  it('refuses a string memory limit in update with a 400', async () => {
    const r = await post('/containers/target/update', { Memory: '1g' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toContain('json: cannot unmarshal string into Go struct field');
  });
});

describe('the other bodies dockerd decodes', () => {
  const stored = async () =>
    [await rig.ok(['network', 'ls', '-q']), await rig.ok(['volume', 'ls', '-q']), await rig.ok(['images', '-aq', '--no-trunc'])].join('\n');

  it.each([
    ['/networks/create', { Name: 5 }, 'cannot unmarshal number into Go struct field CreateRequest.Name of type string'],
    ['/networks/create', { Name: 'n1', IPAM: 'x' }, 'cannot unmarshal string into Go struct field CreateRequest.IPAM of type network.IPAM'],
    ['/networks/create', { Name: 'n2', IPAM: { Config: 'x' } }, 'cannot unmarshal string into Go struct field IPAM.IPAM.Config of type []network.IPAMConfig'],
    ['/networks/create', { Name: 'n3', Labels: [1] }, 'cannot unmarshal array into Go struct field CreateRequest.Labels of type map[string]string'],
    ['/networks/create', { Name: 'n4', Options: 5 }, 'cannot unmarshal number into Go struct field CreateRequest.Options of type map[string]string'],
    ['/networks/bridge/connect', { Container: 5 }, 'cannot unmarshal number into Go struct field ConnectOptions.Container of type string'],
    ['/networks/bridge/connect', { Container: 'target', EndpointConfig: 'x' }, 'cannot unmarshal string into Go struct field ConnectOptions.EndpointConfig of type network.EndpointSettings'],
    ['/networks/bridge/disconnect', { Container: ['target'] }, 'cannot unmarshal array into Go struct field DisconnectOptions.Container of type string'],
    ['/volumes/create', { Name: 'v1', Labels: 'x' }, 'cannot unmarshal string into Go struct field CreateOptions.Labels of type map[string]string'],
    ['/volumes/create', [], 'cannot unmarshal array into Go value of type volume.CreateOptions'],
    ['/commit?container=target&repo=bad%2Fcommit', { Env: 'x' }, 'cannot unmarshal string into Go struct field CreateRequest.Env of type []string'],
    ['/auth', { username: 5 }, 'cannot unmarshal number into Go struct field AuthConfig.username of type string'],
  ])('POST %s %j is a 400 in dockerd\'s words, and stores nothing', async (path, body, message) => {
    const before = await stored();
    const r = await post(path, body);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ message: `invalid JSON: json: ${message}` });
    expect(await stored()).toBe(before);
    expect(await rig.ok(['inspect', '-f', '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}', 'target'])).toBe('bridge');
  });

  it('refuses a string Detach in exec start with a 400, and starts nothing', async () => {
    const { Id } = JSON.parse((await post('/containers/target/exec', { Cmd: ['touch', '/started'] })).body) as { Id: string };
    const r = await post(`/exec/${Id}/start`, { Detach: 'yes' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ message: 'invalid JSON: json: cannot unmarshal string into Go struct field ExecStartOptions.Detach of type bool' });
    expect((await rig.docker(['exec', 'target', 'test', '-e', '/started'])).code).toBe(1);
  });

  it('still takes what Go takes: keys in any case, nulls', async () => {
    const r = await post('/networks/create', { name: 'loose-net', labels: { a: 'b' }, IPAM: null });
    expect(r.status).toBe(201);
    expect(await rig.ok(['network', 'inspect', '-f', '{{.Name}} {{.Labels}}', 'loose-net'])).toBe('loose-net map[a:b]');
    await rig.ok(['network', 'rm', 'loose-net']);
  });
});
