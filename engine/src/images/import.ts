/**
 * `docker import` (`POST /images/create?fromSrc=-`): a rootfs tar (plain or compressed) becomes a one-layer image,
 * with `--change` instructions applied to its config and `--message` as the history comment.
 */
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../base/errors.js';
import { hasher } from '../content/digest.js';
import { familiarString, parseReference, withDefaultTag, type Reference } from '../registry/reference.js';
import { decompressed } from '../snapshots/decompress.js';
import type { ContainerConfigJson, ImageConfig, ImageDeps } from './deps.js';
import { ensureLayer } from './layer.js';
import { sniffLayerType } from './load.js';
import { hostPlatform, parsePlatform } from './platform.js';
import type { ProgressSink } from './progress.js';
import { registerImage } from './register.js';

export interface ImportOptions {
  repo: string;
  tag: string;
  changes: string[];
  message: string;
  platform: string;
}

function words(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      return JSON.parse(t) as string[];
    } catch {
      // shell form below
    }
  }
  return ['/bin/sh', '-c', t];
}

function pairs(rest: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  if (!rest.includes('=')) {
    const [k, ...v] = rest.trim().split(/\s+/);
    return k ? [[k, v.join(' ')]] : [];
  }
  for (let m = re.exec(rest); m; m = re.exec(rest)) out.push([m[1]!, m[2]!.replace(/^"(.*)"$/, '$1')]);
  return out;
}

/** Applies the Dockerfile instructions `docker import --change` allows. */
export function applyChanges(changes: string[]): ContainerConfigJson {
  const c: ContainerConfigJson = {};
  for (const line of changes.flatMap((ch) => ch.split('\n')).filter((l) => l.trim())) {
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(line);
    if (!m) throw new InvalidArgument(`dockerfile parse error: ${line}`);
    const [, cmd, rest] = m as unknown as [string, string, string];
    switch (cmd.toUpperCase()) {
      case 'ENV':
        c.Env = [...(c.Env ?? []), ...pairs(rest).map(([k, v]) => `${k}=${v}`)];
        break;
      case 'LABEL':
        c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(pairs(rest)) };
        break;
      case 'CMD':
        c.Cmd = words(rest);
        break;
      case 'ENTRYPOINT':
        c.Entrypoint = words(rest);
        break;
      case 'WORKDIR':
        c.WorkingDir = rest.trim();
        break;
      case 'USER':
        c.User = rest.trim();
        break;
      case 'STOPSIGNAL':
        c.StopSignal = rest.trim();
        break;
      case 'EXPOSE':
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of rest.trim().split(/\s+/)) c.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        break;
      case 'VOLUME':
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const v of rest.trim().startsWith('[') ? (JSON.parse(rest) as string[]) : rest.trim().split(/\s+/)) c.Volumes[v] = {};
        break;
      default:
        throw new InvalidArgument(`${cmd.toLowerCase()} is not a valid change command`);
    }
  }
  return c;
}

export async function importImage(deps: ImageDeps, input: Readable, opts: ImportOptions, sink: ProgressSink): Promise<string> {
  let tag: Reference | undefined;
  if (opts.repo) {
    const r = parseReference(opts.repo);
    tag = withDefaultTag(opts.tag ? { ...r, tag: opts.tag } : r);
  }
  const config: ContainerConfigJson = applyChanges(opts.changes);
  const platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  const blob = await deps.content.putStream(input);
  const release = deps.leases.hold([blob.digest]);
  try {
    const diff = hasher();
    for await (const c of await decompressed(deps.content.readStream(blob.digest))) diff.update(c as Buffer);
    const diffId = `sha256:${diff.digest('hex')}`;
    const desc = { mediaType: await sniffLayerType(deps, blob.digest), digest: blob.digest, size: blob.size };
    const size = await ensureLayer(deps.content, deps.snapshots, { desc, diffId, chainId: diffId }, undefined);
    const created = new Date().toISOString();
    const image: ImageConfig = {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      created,
      config,
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, comment: opts.message || 'Imported from -' }],
    };
    const id = await deps.content.put(Buffer.from(JSON.stringify(image)));
    await registerImage(
      deps,
      { id, layers: [desc], diffIds: [diffId], chainIds: [diffId], layerSizes: [size], repoDigests: [], platform, created, added: created },
      tag ? [tag] : [],
    );
    sink({ status: id });
    deps.events.publish('image', 'import', id, tag ? { name: familiarString(tag) } : {});
    return id;
  } finally {
    release();
  }
}
