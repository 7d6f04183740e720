import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pushTestImages,
  startBerthd,
  startRegistry,
  type PushedTestImages,
  type RunningBerthd,
  type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';

interface EventMsg {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

describe('images through dockerode, with events', () => {
  let registry: TestRegistry;
  let images: PushedTestImages;
  let daemon: RunningBerthd;
  let client: Docker;

  beforeAll(async () => {
    registry = await startRegistry();
    images = await pushTestImages(registry);
    daemon = await startBerthd({ insecureRegistries: [registry.host] });
    client = new Docker({ socketPath: daemon.socket });
  });
  afterAll(async () => {
    await daemon?.stop();
    await registry?.stop();
  });

  it('pulls with followProgress, lists with filters, tags, inspects, saves and removes; events follow', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const ref = images.config.reference;
    const stream = await client.pull(ref);
    const progress = await new Promise<{ status?: string }[]>((resolve, reject) =>
      client.modem.followProgress(stream, (err: Error | null, out: { status?: string }[]) => (err ? reject(err) : resolve(out))),
    );
    expect(progress.at(-1)?.status).toBe(`Status: Downloaded newer image for ${ref}`);

    const labelled = await client.listImages({ filters: { label: ['com.example.berth.test=yes'] } });
    expect(labelled.map((i) => i.RepoTags)).toEqual([[ref]]);
    expect(await client.listImages({ filters: { label: ['com.example.berth.test=no'] } })).toEqual([]);
    expect(await client.listImages({ filters: { dangling: ['true'] } })).toEqual([]);
    const byRef = await client.listImages({ filters: { reference: [`${registry.host}/berth-test/*`] } });
    expect(byRef).toHaveLength(1);

    const image = client.getImage(ref);
    await image.tag({ repo: 'berth/dockerode', tag: 'x' });
    const info = await client.getImage('berth/dockerode:x').inspect();
    expect(info.Config.User).not.toBe('');
    expect(info.RepoTags.sort()).toEqual(['berth/dockerode:x', ref].sort());

    const tar = await client.getImage('berth/dockerode:x').get();
    let bytes = 0;
    for await (const c of tar) bytes += (c as Buffer).length;
    expect(bytes).toBeGreaterThan(100_000);

    expect(await client.getImage('berth/dockerode:x').remove()).toEqual([{ Untagged: 'berth/dockerode:x' }]);
    const removed = (await client.getImage(ref).remove()) as { Untagged?: string; Deleted?: string }[];
    expect(removed.some((r) => r.Deleted === info.Id)).toBe(true);
    await expect(client.getImage(ref).inspect()).rejects.toMatchObject({ statusCode: 404 });

    const until = Math.floor(Date.now() / 1000) + 1;
    const events = (await client.getEvents({ since, until, filters: { type: ['image'] } })) as unknown as NodeJS.ReadableStream;
    let text = '';
    for await (const c of events) text += c.toString();
    const actions = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EventMsg)
      .map((e) => e.Action);
    expect(actions).toEqual(['pull', 'tag', 'save', 'untag', 'untag', 'untag', 'delete']);
  });
});
