import type { EndpointRecord, NetworkRecord } from './types.js';

/** `GET /networks/{id}`'s `Containers` entry for one endpoint. */
export function endpointView(ep: EndpointRecord): Record<string, string> {
  return {
    Name: ep.containerName,
    EndpointID: ep.endpointId,
    MacAddress: ep.macAddress,
    IPv4Address: ep.ipv4 ? `${ep.ipv4}/${ep.prefix}` : '',
    IPv6Address: '',
  };
}

/**
 * A network as dockerd's API shows it (swagger `Network`). The list endpoint leaves `Containers` empty, as
 * dockerd does; inspect fills it from the endpoints.
 */
export function networkView(rec: NetworkRecord, withContainers: boolean): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  if (withContainers) for (const [cid, ep] of Object.entries(rec.endpoints)) containers[cid] = endpointView(ep);
  const ipamConfig = rec.driver === 'bridge' ? rec.ipam.config.map((c) => ({ ...c })) : null;
  return {
    Name: rec.name,
    Id: rec.id,
    Created: rec.created,
    Scope: 'local',
    Driver: rec.driver,
    EnableIPv4: true,
    EnableIPv6: rec.enableIPv6,
    IPAM: { Driver: rec.ipam.driver, Options: rec.ipam.options, Config: ipamConfig },
    Internal: rec.internal,
    Attachable: rec.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: rec.options,
    Labels: rec.labels,
  };
}

/**
 * `NetworkSettings.Networks[name]` of a container (swagger `EndpointSettings`), which the containers layer
 * embeds in inspect. `requestedAliases` are what the user asked for; dockerd shows those plus nothing else.
 */
export function endpointSettingsView(rec: NetworkRecord, ep: EndpointRecord): Record<string, unknown> {
  return {
    IPAMConfig: ep.ipamConfig ?? (ep.requestedIPv4 ? { IPv4Address: ep.requestedIPv4 } : null),
    Links: ep.links ? [...ep.links] : null,
    Aliases: ep.aliases.length > 0 ? [...ep.aliases] : null,
    MacAddress: ep.macAddress,
    DriverOpts: ep.driverOpts ?? null,
    GwPriority: 0,
    NetworkID: rec.id,
    EndpointID: ep.endpointId,
    Gateway: ep.gateway,
    IPAddress: ep.ipv4,
    IPPrefixLen: ep.ipv4 ? ep.prefix : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: rec.driver === 'bridge' && !rec.predefined ? [...ep.dnsNames] : null,
  };
}
