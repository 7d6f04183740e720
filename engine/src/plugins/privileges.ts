/**
 * What installing a plugin grants it, computed from its config as dockerd's `computePrivileges` does; the client
 * shows the list, the user accepts it, and the pull is refused unless the accepted list is exactly this one.
 */
import { SystemError } from '../base/errors.js';
import type { PluginConfig } from './config.js';

export interface PluginPrivilege {
  Name: string;
  Description: string;
  Value: string[] | null;
}

export function computePrivileges(c: PluginConfig): PluginPrivilege[] {
  const out: PluginPrivilege[] = [];
  const t = c.Network.Type;
  if (t !== 'null' && t !== 'bridge' && t !== '') out.push({ Name: 'network', Description: 'permissions to access a network', Value: [t] });
  if (c.IpcHost) out.push({ Name: 'host ipc namespace', Description: 'allow access to host ipc namespace', Value: ['true'] });
  if (c.PidHost) out.push({ Name: 'host pid namespace', Description: 'allow access to host pid namespace', Value: ['true'] });
  for (const m of c.Mounts ?? []) {
    if (m.Source !== null) out.push({ Name: 'mount', Description: 'host path to mount', Value: [m.Source] });
  }
  for (const d of c.Linux.Devices ?? []) {
    if (d.Path !== null) out.push({ Name: 'device', Description: 'host device to access', Value: [d.Path] });
  }
  if (c.Linux.AllowAllDevices) out.push({ Name: 'allow-all-devices', Description: "allow 'rwm' access to all devices", Value: ['true'] });
  if ((c.Linux.Capabilities ?? []).length > 0) {
    out.push({ Name: 'capabilities', Description: 'list of additional capabilities required', Value: c.Linux.Capabilities });
  }
  return out;
}

function key(p: PluginPrivilege): string {
  return JSON.stringify([p.Name, p.Description, [...(p.Value ?? [])].sort()]);
}

/** dockerd compares the two lists ignoring order; anything else is `incorrect privileges`. */
export function checkPrivileges(required: PluginPrivilege[], accepted: PluginPrivilege[]): void {
  const a = required.map(key).sort();
  const b = accepted.map(key).sort();
  if (a.length !== b.length || a.some((k, i) => k !== b[i])) throw new SystemError('incorrect privileges');
}

/** The body of `POST /plugins/pull` and `/upgrade`: a JSON list of privileges (docker-py and the CLI send one). */
export function parsePrivileges(body: Buffer): PluginPrivilege[] {
  const text = body.toString('utf8').trim();
  if (text === '') throw new SystemError('failed to parse privileges: EOF');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SystemError(`failed to parse privileges: ${(err as Error).message}`);
  }
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new SystemError(`failed to parse privileges: json: cannot unmarshal ${typeof raw} into Go value of type types.PluginPrivileges`);
  return raw.map((p: unknown) => {
    const o = (p ?? {}) as Record<string, unknown>;
    const field = (name: string): unknown => o[Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name];
    const value = field('Value');
    return {
      Name: String(field('Name') ?? ''),
      Description: String(field('Description') ?? ''),
      Value: Array.isArray(value) ? value.map(String) : null,
    };
  });
}
