// dockerd's volume and network JSON to the UI's rows.
import type { NetworkRow, VolumeRow } from '../../../shared/types.js';

interface RawVolume {
  Name: string;
  Driver?: string;
  Mountpoint?: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
  UsageData?: { Size?: number; RefCount?: number } | null;
}

export function volumeRow(raw: RawVolume, usedBy: string[] = []): VolumeRow {
  return {
    name: raw.Name,
    driver: raw.Driver ?? 'local',
    mountpoint: raw.Mountpoint ?? '',
    ...(raw.CreatedAt ? { created: raw.CreatedAt } : {}),
    labels: raw.Labels ?? {},
    size: raw.UsageData?.Size ?? -1,
    usedBy,
  };
}

interface RawNetwork {
  Id: string;
  Name: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Created?: string;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null } | null;
  Containers?: Record<string, unknown> | null;
}

export function networkRow(raw: RawNetwork, containers?: number): NetworkRow {
  const ipam = raw.IPAM?.Config?.[0];
  return {
    id: raw.Id,
    name: raw.Name,
    driver: raw.Driver ?? '',
    scope: raw.Scope ?? 'local',
    ...(ipam?.Subnet ? { subnet: ipam.Subnet } : {}),
    ...(ipam?.Gateway ? { gateway: ipam.Gateway } : {}),
    internal: raw.Internal ?? false,
    ...(raw.Created ? { created: raw.Created } : {}),
    containers: containers ?? Object.keys(raw.Containers ?? {}).length,
  };
}

/** Volume name → names of containers mounting it, from GET /containers/json?all=1. */
export function volumeUsers(containers: { Names?: string[] | null; Mounts?: { Type?: string; Name?: string }[] | null }[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const c of containers) {
    const name = (c.Names?.[0] ?? '').replace(/^\//, '');
    for (const m of c.Mounts ?? []) {
      if (m.Type !== 'volume' || !m.Name) continue;
      users.set(m.Name, [...(users.get(m.Name) ?? []), name]);
    }
  }
  return users;
}
