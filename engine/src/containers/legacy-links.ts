import { Conflict, InvalidArgument, NotFound } from '../base/errors.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord } from './types.js';

/** One `--link target:alias` of a container. */
export interface LegacyLink {
  target: string;
  alias: string;
}

/** `HostConfig.Links` entries (`target:alias`, `target`, or dockerd's stored `/target:/parent/alias`). */
export function parseLinks(links: string[] | null | undefined): LegacyLink[] {
  return (links ?? []).map((l) => {
    const [target = '', alias] = l.split(':');
    const name = target.replace(/^\//, '');
    if (name === '') throw new InvalidArgument(`invalid link: ${JSON.stringify(l)}`);
    return { target: name, alias: (alias ?? name).split('/').pop() ?? name };
  });
}

function envName(alias: string): string {
  return alias.toUpperCase().replace(/-/g, '_');
}

/** The primary address of a running container on the default bridge (where legacy links live). */
function bridgeAddress(record: ContainerRecord): string {
  const nets = (record.NetworkSettings.Networks ?? {}) as Record<string, { IPAddress?: string }>;
  return nets.bridge?.IPAddress ?? '';
}

export interface ResolvedLinks {
  /** dockerd's link variables (`ALIAS_NAME`, `ALIAS_PORT_80_TCP…`, `ALIAS_ENV_…`), before the container's own Env. */
  env: string[];
  /** /etc/hosts lines: the target's address with the alias, its name and its short ID. */
  hosts: string[];
}

/**
 * The legacy links of a container on the default bridge, at its start: each target must be running, as dockerd
 * requires. Containers on other networks get their links through the embedded DNS instead.
 */
export function resolveLegacyLinks(ctx: ContainerContext, record: ContainerRecord): ResolvedLinks {
  const out: ResolvedLinks = { env: [], hosts: [] };
  if (record.HostConfig.NetworkMode !== 'bridge' && record.HostConfig.NetworkMode !== 'default') return out;
  for (const link of parseLinks(record.HostConfig.Links)) {
    const target = ctx.store.find(link.target);
    if (!target) throw new NotFound(`could not get container for ${link.target}`);
    if (!target.State.Running) throw new Conflict(`Cannot link to a non running container: ${target.Name} AS ${record.Name}/${link.alias}`);
    const ip = bridgeAddress(target);
    const prefix = envName(link.alias);
    out.env.push(`${prefix}_NAME=${record.Name}/${link.alias}`);
    const ports = Object.keys(target.Config.ExposedPorts ?? {})
      .map((p) => {
        const [port = '', proto = 'tcp'] = p.split('/');
        return { port: Number(port), proto };
      })
      .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
    const first = ports[0];
    if (first && ip) out.env.push(`${prefix}_PORT=${first.proto}://${ip}:${first.port}`);
    for (const p of ip ? ports : []) {
      const key = `${prefix}_PORT_${p.port}_${p.proto.toUpperCase()}`;
      out.env.push(`${key}=${p.proto}://${ip}:${p.port}`, `${key}_ADDR=${ip}`, `${key}_PORT=${p.port}`, `${key}_PROTO=${p.proto}`);
    }
    for (const e of target.Config.Env ?? []) {
      const eq = e.indexOf('=');
      if (eq <= 0) continue;
      const name = e.slice(0, eq);
      if (name === 'HOME' || name === 'PATH') continue;
      out.env.push(`${prefix}_ENV_${name}=${e.slice(eq + 1)}`);
    }
    if (ip) out.hosts.push(`${ip}\t${[...new Set([link.alias, target.Name.slice(1), target.Id.slice(0, 12)])].join(' ')}`);
  }
  return out;
}

/**
 * `DELETE /containers/{parent}/{alias}?link=1`: drops the link from the parent (its running processes keep what
 * they were given, as with dockerd).
 */
export async function removeLegacyLink(ctx: ContainerContext, name: string): Promise<void> {
  const full = name.startsWith('/') ? name : `/${name}`;
  const cut = full.lastIndexOf('/');
  if (cut === 0) throw new Conflict('Conflict, cannot remove the default link name of the container');
  const parentName = full.slice(0, cut);
  const alias = full.slice(cut + 1);
  const parent = ctx.store.find(parentName.slice(1));
  if (!parent) throw new NotFound(`Cannot get parent ${parentName} for link ${full}`);
  const links = parent.HostConfig.Links ?? [];
  const kept = links.filter((l, i) => parseLinks(links)[i]?.alias !== alias);
  if (kept.length === links.length) throw new NotFound(`No such container: ${name}`);
  parent.HostConfig.Links = kept.length > 0 ? kept : null;
  await ctx.store.save(parent);
}
