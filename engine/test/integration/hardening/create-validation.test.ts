// Finding 4 of issue 17: create (and exec create, update) refuse what Go could not decode into dockerd's types,
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
