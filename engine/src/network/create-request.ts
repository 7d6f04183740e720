import { Forbidden, InvalidArgument, NotFound, NotImplemented, Unavailable } from '../base/errors.js';
import { normalizeIpamConfig } from './ipam.js';
import type { IpamConfigRecord } from './types.js';

/** The body of `POST /networks/create` (swagger `NetworkCreateRequest`). */
export interface NetworkCreateRequest {
  Name?: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network?: string } | null;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Config?: IpamConfigRecord[] | null; Options?: Record<string, string> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export const BRIDGE_OPTS = {
  name: 'com.docker.network.bridge.name',
  icc: 'com.docker.network.bridge.enable_icc',
  masquerade: 'com.docker.network.bridge.enable_ip_masquerade',
  hostBinding: 'com.docker.network.bridge.host_binding_ipv4',
  mtu: 'com.docker.network.driver.mtu',
  defaultBridge: 'com.docker.network.bridge.default_bridge',
} as const;

export interface ValidatedCreate {
  name: string;
  internal: boolean;
  attachable: boolean;
  ipamDriver: string;
  /** null when the request had none, as dockerd keeps it (docker-py sends no IPAM Options; the CLI sends {}). */
  ipamOptions: Record<string, string> | null;
  /** Empty when the subnet comes from the default address pools. */
  ipamConfig: IpamConfigRecord[];
  options: Record<string, string>;
  labels: Record<string, string>;
  bridgeName?: string;
  mtu?: number;
}

function boolOption(options: Record<string, string>, key: string): void {
  const v = options[key];
  if (v !== undefined && !['true', 'false', '1', '0'].includes(v.toLowerCase())) {
    throw new InvalidArgument(`invalid value for ${key}: strconv.ParseBool: parsing "${v}": invalid syntax`);
  }
}

export function optionIsFalse(options: Record<string, string>, key: string): boolean {
  const v = options[key]?.toLowerCase();
  return v === 'false' || v === '0';
}

/** Checks a create request the way dockerd does, before anything is allocated. */
export function validateCreate(req: NetworkCreateRequest): ValidatedCreate {
  const name = (req.Name ?? '').trim();
  if (name === '') throw new InvalidArgument('network name must not be empty');
  const driver = req.Driver === undefined || req.Driver === '' ? 'bridge' : req.Driver;
  if (driver === 'host' || driver === 'null') throw new Forbidden(`only one instance of "${driver}" network is allowed`);
  if (driver === 'overlay' || req.Scope === 'swarm' || req.Ingress) {
    throw new Unavailable('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
  }
  if (driver !== 'bridge') throw new NotFound(`plugin "${driver}" not found`);
  if (req.ConfigOnly || (req.ConfigFrom?.Network ?? '') !== '') throw new NotImplemented('config-only networks are not supported by berthd');
  if (req.EnableIPv6) throw new NotImplemented('IPv6 networks are not supported by berthd yet');
  if (req.EnableIPv4 === false) throw new NotImplemented('networks without IPv4 are not supported by berthd');
  const ipamDriver = req.IPAM?.Driver || 'default';
  if (ipamDriver !== 'default') throw new NotFound(`plugin "${ipamDriver}" not found`);
  const configs = (req.IPAM?.Config ?? []).filter((c) => !(c.Subnet ?? '').includes(':'));
  if ((req.IPAM?.Config ?? []).length !== configs.length) throw new NotImplemented('IPv6 subnets are not supported by berthd yet');
  if (configs.length > 1) throw new NotImplemented('berthd supports one IPv4 subnet per network');
  const options = { ...(req.Options ?? {}) };
  for (const key of [BRIDGE_OPTS.icc, BRIDGE_OPTS.masquerade]) boolOption(options, key);
  let mtu: number | undefined;
  if (options[BRIDGE_OPTS.mtu] !== undefined) {
    mtu = Number(options[BRIDGE_OPTS.mtu]);
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new InvalidArgument(`invalid MTU value: ${options[BRIDGE_OPTS.mtu]}`);
  }
  const bridgeName = options[BRIDGE_OPTS.name];
  if (bridgeName !== undefined) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/.test(bridgeName)) throw new InvalidArgument(`invalid bridge name "${bridgeName}"`);
    if (bridgeName === 'docker0') throw new Forbidden('bridge docker0 belongs to dockerd; choose another bridge name');
  }
  return {
    name,
    internal: req.Internal === true,
    attachable: req.Attachable === true,
    ipamDriver,
    ipamOptions: req.IPAM?.Options ? { ...req.IPAM.Options } : null,
    ipamConfig: configs.map(normalizeIpamConfig),
    options,
    labels: { ...(req.Labels ?? {}) },
    bridgeName,
    mtu,
  };
}
