/** What Berth persists about a network; the API views (views.ts) are built from it. */
export interface NetworkRecord {
  id: string;
  name: string;
  /** RFC3339Nano, as dockerd shows it. */
  created: string;
  driver: 'bridge' | 'host' | 'null';
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  ipam: {
    driver: string;
    options: Record<string, string> | null;
    config: IpamConfigRecord[];
  };
  options: Record<string, string>;
  labels: Record<string, string>;
  /** `bridge`, `host` and `none`: cannot be removed. */
  predefined: boolean;
  /** The Linux bridge of a bridge network. */
  bridge?: string;
  mtu?: number;
  /** Whether the user chose the subnet (static IPs need that, as in dockerd). */
  userSubnet: boolean;
  /** The last address handed out, so addresses are allocated round-robin and not reused at once. */
  lastAllocated?: string;
  endpoints: Record<string, EndpointRecord>;
}

export interface IpamConfigRecord {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** One container's attachment to a network. Keyed by container ID in NetworkRecord.endpoints. */
export interface EndpointRecord {
  endpointId: string;
  containerId: string;
  /** Without the leading slash. */
  containerName: string;
  /** Address without prefix; empty on host/none networks. */
  ipv4: string;
  prefix: number;
  macAddress: string;
  aliases: string[];
  /** Names the embedded DNS answers for this endpoint: container name, short ID, aliases. */
  dnsNames: string[];
  /** The address the user asked for (`--ip`), kept for inspect's IPAMConfig. */
  requestedIPv4?: string;
  /** What the endpoint config asked, shown by inspect as given (dockerd keeps them): IPAMConfig, DriverOpts. */
  ipamConfig?: EndpointIpamConfig;
  driverOpts?: Record<string, string>;
  /** Legacy links on a user-defined network (`target:alias`): the alias resolves, for this container only. */
  links?: string[];
  netnsPath?: string;
  /** Interface inside the container and its host-side veth peer. */
  ifname?: string;
  hostIf?: string;
  gateway: string;
  /** Whether this endpoint holds the container's default route. */
  defaultRoute?: boolean;
  /** `--dns` servers: the embedded resolver forwards this container's other queries there. */
  dnsUpstreams?: string[];
}

/** An endpoint's `IPAMConfig` as asked (`--ip`, `--ip6`, `--link-local-ip`). */
export interface EndpointIpamConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[];
}

/** One network a container joins, with what its endpoint config asked. */
export interface PlannedEndpoint {
  network: string;
  aliases?: string[];
  ipv4Address?: string;
  macAddress?: string;
  ipamConfig?: EndpointIpamConfig;
  driverOpts?: Record<string, string>;
  links?: string[];
}
