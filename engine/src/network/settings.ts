import { createHash } from 'node:crypto';
import type { AttachedEndpoint } from './endpoints.js';
import { portMapView, type PortMapping } from './ports.js';

/**
 * A container's `NetworkSettings` as dockerd's inspect shows it at API 1.51: the per-network endpoints, the
 * published ports (every exposed port, null when unpublished), and the deprecated top-level address fields,
 * which dockerd fills from the default `bridge` network only.
 */
export function networkSettingsView(
  sandboxKey: string,
  attached: AttachedEndpoint[],
  mappings: PortMapping[],
  exposed: string[],
): Record<string, unknown> {
  const networks: Record<string, unknown> = {};
  for (const a of attached) networks[a.network.name] = a.settings;
  const bridge = attached.find((a) => a.network.predefined && a.network.driver === 'bridge')?.endpoint;
  return {
    Bridge: '',
    SandboxID: sandboxKey ? createHash('sha256').update(sandboxKey).digest('hex') : '',
    SandboxKey: sandboxKey,
    Ports: portMapView(exposed, mappings),
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.endpointId ?? '',
    Gateway: bridge?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.ipv4 ?? '',
    IPPrefixLen: bridge?.ipv4 ? bridge.prefix : 0,
    IPv6Gateway: '',
    MacAddress: bridge?.macAddress ?? '',
    Networks: networks,
  };
}
