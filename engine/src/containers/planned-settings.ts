import type { ContainerRecord } from './types.js';

/**
 * `NetworkSettings` of a container that is not running: one entry per network it will join, carrying what was
 * asked (aliases, static IPs) and no addresses, as dockerd shows created and stopped containers.
 */
export function plannedNetworkSettings(record: ContainerRecord): Record<string, unknown> {
  const mode = record.HostConfig.NetworkMode;
  const endpoints = record.EndpointsConfig ?? {};
  const names = mode === 'host' || mode === 'none' || mode.startsWith('container:')
    ? [mode]
    : [mode, ...Object.keys(endpoints).filter((n) => n !== mode)];
  const networks: Record<string, unknown> = {};
  for (const name of names) {
    const e = endpoints[name] ?? {};
    networks[name] = {
      IPAMConfig: e.IPAMConfig ?? null,
      Links: e.Links ?? null,
      Aliases: e.Aliases ?? null,
      MacAddress: e.MacAddress ?? '',
      DriverOpts: e.DriverOpts ?? null,
      NetworkID: '',
      EndpointID: '',
      Gateway: '',
      IPAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: null,
    };
  }
  return { Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, Networks: networks };
}
