import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { runPy } from './py.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
  await rig.ok(['tag', rig.busybox, 'busybox']);
});
afterAll(async () => {
  const left = (await rig?.docker(['ps', '-aq']))?.stdout.split('\n').filter(Boolean) ?? [];
  if (left.length > 0) await rig.docker(['rm', '-f', ...left]);
  await rig?.stop();
});

const py = <T>(body: string): Promise<T> => runPy<T>(rig.berthd.dockerHost, rig.busybox, body);

describe('docker-py 5.0.3 sees the classic builder as on dockerd', () => {
  it('takes repeated extrahosts, restricts the cache to cache_from, and wraps RUN stderr in red', async () => {
    const got = await py<Record<string, unknown>>(`
import io
out = {}
df = io.BytesIO(b"FROM busybox\\nRUN cp /etc/hosts /hosts-file\\n")
for chunk in api.build(fileobj=df, tag="pyextrahosts", extra_hosts={"one.test": "127.0.0.1", "two.test": "127.0.0.2"}, decode=True):
    if "errorDetail" in chunk: out["error"] = chunk
c = api.create_container("pyextrahosts", "cat /hosts-file")
api.start(c); api.wait(c)
out["hosts"] = api.logs(c).decode()
api.remove_container(c)
script = b"FROM busybox\\nENV FOO=bar\\nRUN touch baz\\nRUN touch bax\\n"
def hits(**kw):
    n = 0
    for chunk in api.build(fileobj=io.BytesIO(script), decode=True, **kw):
        if "Using cache" in chunk.get("stream", ""): n += 1
    return n
hits(tag="pycache1")
out["cache_from"] = [hits(tag="pycache2", cache_from=["pycache1"]), hits(tag="pycache3", cache_from=["nosuchtag"]), hits(tag="pycache4")]
lines = [chunk.get("stream") for chunk in api.build(fileobj=io.BytesIO(b"FROM busybox\\nRUN sh -c \\">&2 echo to-stderr\\"\\n"), decode=True, nocache=True)]
out["stderr"] = [l for l in lines if l and "to-stderr\\n" in l]
emit(out)
`);
    expect(got.error).toBeUndefined();
    expect(got.hosts).toContain('127.0.0.1\tone.test');
    expect(got.hosts).toContain('127.0.0.2\ttwo.test');
    expect(got.cache_from).toEqual([3, 0, 3]);
    expect(got.stderr).toEqual(['\x1b[91mto-stderr\n\x1b[0m']);
  });
});

describe('docker-py 5.0.3 sees images as on dockerd', () => {
  it('lists intermediate images with all=1 and reports a bad archive to load in the stream', async () => {
    const got = await py<Record<string, unknown>>(`
import io
out = {}
for _ in api.build(fileobj=io.BytesIO(b"FROM busybox\\nRUN touch /a\\nRUN touch /b\\n"), tag="pylayers", rm=True):
    pass
parent = api.inspect_image("pylayers")["Parent"]
out["parent"] = parent
out["parent_listed"] = [any(i["Id"] == parent for i in api.images()), any(i["Id"] == parent for i in api.images(all=True))]
try:
    client.images.load(b"abc")
except docker.errors.ImageLoadError as e:
    out["load"] = ["ImageLoadError", str(e)]
except docker.errors.APIError as e:
    out["load"] = ["APIError", e.status_code]
emit(out)
`);
    expect(got.parent).toMatch(/^sha256:/);
    expect(got.parent_listed).toEqual([false, true]);
    expect((got.load as string[])[0]).toBe('ImageLoadError');
  });

  it('answers docker search from a registry index search API, and with dockerd error where there is none', async () => {
    const none = await rig.docker(['search', `${rig.registry.host}/berth-test/busybox`]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe('Error response from daemon: Unexpected status code 404');
    // A registry index with the v1 search API (Docker Hub's shape), on loopback: no such registry runs here.
    const asked: string[] = [];
    const index = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({
        num_results: 3, query: 'tools',
        results: [
          { name: 'team/tools', description: 'Team tools', star_count: 12, is_official: false, is_automated: false },
          { name: 'tools', description: 'Official tools', star_count: 40, is_official: true, is_automated: false },
          { name: 'me/tools', description: 'mine', star_count: 0, is_official: false, is_automated: false },
        ],
      }));
    });
    await new Promise<void>((r) => index.listen(0, '127.0.0.1', r));
    try {
      const host = `127.0.0.1:${(index.address() as AddressInfo).port}`;
      const found = await rig.ok(['search', '--filter', 'stars=10', '--limit', '5', '--format', '{{.Name}} {{.StarCount}} {{.Description}}', `${host}/tools`]);
      expect(found.split('\n')).toEqual(['team/tools 12 Team tools', 'tools 40 Official tools']);
      expect(asked.at(-1)).toBe('/v1/search?q=tools&n=5');
      const bad = await rig.docker(['search', '--limit', '101', `${host}/tools`]);
      expect(bad.stderr.trim()).toBe('Error response from daemon: limit 101 is outside the range of [1, 100]');
      const filter = await rig.docker(['search', '--filter', 'stars=many', `${host}/tools`]);
      expect(filter.stderr.trim()).toBe("Error response from daemon: invalid filter 'stars=many'");
    } finally {
      index.close();
    }
  });
});
