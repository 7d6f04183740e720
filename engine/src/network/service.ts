import { Conflict, Forbidden, InvalidArgument, NotFound, errorMessage } from '../base/errors.js';
import type { Filters } from '../base/filters.js';
import { generateId } from '../base/ids.js';
import type { Logger } from '../base/log.js';
import { formatRFC3339Nano, nowNanos } from '../base/timestamp.js';
import { API_VERSION, versionLessThan } from '../base/version.js';
import type { EventsService } from '../events/events.js';
import { BRIDGE_OPTS, optionIsFalse, validateCreate, type NetworkCreateRequest } from './create-request.js';
import { EmbeddedDnsServer } from './dns/server.js';
import { NetworkNames, hostUpstreams } from './dns/names.js';
import type { Upstream } from './dns/upstream.js';
import { networkMatcher, pruneMatcher } from './filters.js';
import { Firewall } from './firewall.js';
import type { BridgeNetworkRules } from './firewall-rules.js';
import { chooseSubnet, hostRoutes, hostRoutesByInterface, type AddressPool } from './ipam.js';
import { formatCidr4, formatIp4, overlaps, parseCidr4 } from './ipv4.js';
import { deleteLink, enableIpForward, ensureBridge, linkExists } from './links.js';
import { Mutex } from './mutex.js';
import { PortMapper } from './ports.js';
import { defaultBridge, hostNetwork, noneNetwork, type DefaultBridgeConfig } from './predefined.js';
import { NetworkStore } from './store.js';
import type { NetworkRecord } from './types.js';
import { networkView } from './views.js';

export interface NetworkServiceOptions {
  dataRoot: string;
  /** Short, stable, unique per engine: tags this engine's firewall rules. */
  engineTag: string;
  events: EventsService;
  log: Logger;
  defaultBridge: DefaultBridgeConfig;
  /** Address pools for networks created without a subnet. */
  pools: AddressPool[];
  /** daemon.json `iptables`: false leaves the firewall alone. */
  iptables: boolean;
  /** daemon.json `ip-forward`. */
  ipForward: boolean;
  /** Where the embedded DNS forwards; default: the nameservers of the host's resolv.conf. */
  dnsUpstreams?: Upstream[];
  /** Port of the embedded DNS (53; tests may pick another). */
  dnsPort?: number;
  /** dockerd's `--host-gateway-ip`: what `host-gateway` means; default the default bridge's gateway. */
  hostGatewayIp?: string;
}

function bridgeRules(rec: NetworkRecord): BridgeNetworkRules | undefined {
  const cfg = rec.ipam.config[0];
  if (!rec.bridge || !cfg) return undefined;
  return {
    bridge: rec.bridge,
    subnet: cfg.Subnet,
    internal: rec.internal,
    icc: !optionIsFalse(rec.options, BRIDGE_OPTS.icc),
    masquerade: !optionIsFalse(rec.options, BRIDGE_OPTS.masquerade),
  };
}

/** User-defined networks get the embedded DNS, as dockerd's; the default bridge does not. */
function hasEmbeddedDns(rec: NetworkRecord): boolean {
  return !rec.predefined && Boolean(rec.ipam.config[0]?.Gateway);
}

/**
 * Networks: the store, the predefined `bridge`/`host`/`none`, user-defined bridge networks with their Linux
 * bridge, firewall rules and embedded DNS. Endpoint operations for the containers layer live in endpoints.ts.
 */
export class NetworkService {
  readonly store: NetworkStore;
  readonly firewall: Firewall;
  readonly ports: PortMapper;
  readonly lock = new Mutex();
  private readonly dns = new Map<string, EmbeddedDnsServer>();

  constructor(readonly opts: NetworkServiceOptions) {
    this.store = new NetworkStore(opts.dataRoot);
    this.firewall = new Firewall({ engineTag: opts.engineTag, enabled: opts.iptables });
    this.ports = new PortMapper({ dataRoot: opts.dataRoot, firewall: this.firewall, log: opts.log });
  }

  async init(): Promise<void> {
    await this.store.load(this.opts.log);
    const byName = (name: string) => this.store.all().find((n) => n.predefined && n.name === name);
    const taken = [...hostRoutes(), ...this.subnetsExcept(byName('bridge')?.id)];
    await this.store.save(defaultBridge(byName('bridge'), this.opts.defaultBridge, taken));
    await this.store.save(hostNetwork(byName('host')));
    await this.store.save(noneNetwork(byName('none')));
    const bridges = this.store.all().filter((rec) => rec.driver === 'bridge');
    // Every network's rules go in with the firewall's own set-up, in one transaction; the links and resolvers of
    // the bridges do not depend on them or on each other.
    const rules = bridges.flatMap((rec) => {
      const r = bridgeRules(rec);
      return r ? [{ id: rec.id, rules: r }] : [];
    });
    await Promise.all([
      this.firewall.init(rules),
      this.opts.ipForward ? enableIpForward() : undefined,
      ...bridges.map((rec) => this.setUpBridge(rec, { rules: false })),
    ]);
    await this.ports.restore();
  }

  /** Stops the resolvers; with no endpoints left anywhere, also removes this engine's bridges and rules. */
  async close(): Promise<void> {
    for (const server of this.dns.values()) server.close();
    this.dns.clear();
    this.ports.close();
    const inUse = this.store.all().some((n) => n.driver === 'bridge' && Object.keys(n.endpoints).length > 0);
    if (inUse) return;
    await this.firewall.removeAll();
    for (const rec of this.store.all()) if (rec.bridge) await deleteLink(rec.bridge).catch(() => undefined);
  }

  /** dockerd's lookup order: full ID, full name (unique: old clients may have made two of a name), unique ID prefix. */
  lookup(term: string): NetworkRecord {
    const all = this.store.all();
    const byId = all.find((n) => n.id === term);
    if (byId) return byId;
    const byName = all.filter((n) => n.name === term);
    if (byName.length > 1) throw new InvalidArgument(`network ${term} is ambiguous (${byName.length} matches found based on name)`);
    if (byName[0]) return byName[0];
    const byPrefix = term === '' ? [] : all.filter((n) => n.id.startsWith(term));
    if (byPrefix.length === 1) return byPrefix[0] as NetworkRecord;
    if (byPrefix.length > 1) throw new InvalidArgument(`network ${term} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    throw new NotFound(`network ${term} not found`);
  }

  list(filters: Filters): Array<Record<string, unknown>> {
    const match = networkMatcher(filters);
    return this.store.all().filter(match).map((n) => networkView(n, false));
  }

  inspect(term: string): Record<string, unknown> {
    return networkView(this.lookup(term), true);
  }

  /**
   * `apiVersion` is the request's: below 1.44 a request that does not set CheckDuplicate may make a second network of
   * a name, with a warning, as dockerd 20.10 did (docker-py sends it only when asked; the CLI always sets it). Since
   * API 1.44 dockerd always refuses.
   */
  async create(req: NetworkCreateRequest, apiVersion = API_VERSION): Promise<{ Id: string; Warning: string }> {
    const v = validateCreate(req);
    return this.lock.run(async () => {
      let warning = '';
      const same = this.store.all().find((n) => n.name === v.name);
      if (same) {
        if (req.CheckDuplicate === true || !versionLessThan(apiVersion, '1.44')) throw new Conflict(`network with name ${v.name} already exists`);
        warning = `Network with name ${v.name} (id : ${same.id}) already exists`;
      }
      const id = generateId();
      const others = this.subnetsExcept(undefined);
      let config = v.ipamConfig;
      if (config.length > 0) {
        const wanted = parseCidr4(config[0]?.Subnet ?? '');
        if (others.some((o) => overlaps(o, wanted))) throw new Forbidden('invalid pool request: Pool overlaps with other one on this address space');
        // A subnet the host already routes through another interface (a LAN, a VPN, another engine's bridge) would
        // take those addresses away from the host: refused, as dockerd refuses overlapping pools.
        const ownBridges = new Set(this.store.all().map((n) => n.bridge));
        const routed = hostRoutesByInterface().find((r) => !ownBridges.has(r.iface) && overlaps(r.cidr, wanted));
        if (routed) {
          throw new Forbidden(
            `invalid pool request: Pool overlaps with other one on this address space: ${formatCidr4(wanted)} overlaps ${formatCidr4(routed.cidr)}, routed through ${routed.iface} on this host; choose another --subnet`,
          );
        }
      } else {
        const subnet = chooseSubnet(this.opts.pools, [...others, ...hostRoutes()]);
        config = [{ Subnet: formatCidr4(subnet), Gateway: formatIp4(subnet.base + 1) }];
      }
      const bridge = v.bridgeName ?? `br-${id.slice(0, 12)}`;
      if (this.store.all().some((n) => n.bridge === bridge)) throw new Conflict(`bridge name ${bridge} is already used by another network`);
      if (await linkExists(bridge)) throw new Conflict(`a network interface named ${bridge} already exists on the host`);
      const rec: NetworkRecord = {
        id,
        name: v.name,
        created: formatRFC3339Nano(nowNanos()),
        driver: 'bridge',
        internal: v.internal,
        attachable: v.attachable,
        enableIPv6: false,
        ipam: { driver: v.ipamDriver, options: v.ipamOptions, config },
        options: v.options,
        labels: v.labels,
        predefined: false,
        bridge,
        mtu: v.mtu ?? this.opts.defaultBridge.mtu,
        userSubnet: v.ipamConfig.length > 0,
        endpoints: {},
      };
      await this.store.save(rec);
      try {
        await this.setUpBridge(rec);
      } catch (err) {
        await this.tearDownBridge(rec).catch(() => undefined);
        await this.store.remove(id);
        throw err;
      }
      this.opts.events.publish('network', 'create', id, { name: rec.name, type: rec.driver });
      return { Id: id, Warning: warning };
    });
  }

  async remove(term: string): Promise<void> {
    await this.lock.run(async () => {
      const rec = this.lookup(term);
      if (rec.predefined) throw new Forbidden(`${rec.name} is a pre-defined network and cannot be removed`);
      if (Object.keys(rec.endpoints).length > 0) {
        throw new Forbidden(`error while removing network: network ${rec.name} id ${rec.id} has active endpoints`);
      }
      await this.tearDownBridge(rec);
      await this.store.remove(rec.id);
      this.opts.events.publish('network', 'destroy', rec.id, { name: rec.name, type: rec.driver });
    });
  }

  async prune(filters: Filters): Promise<{ NetworksDeleted: string[] | null }> {
    const match = pruneMatcher(filters);
    const deleted: string[] = [];
    for (const rec of this.store.all().filter(match)) {
      try {
        await this.remove(rec.id);
        deleted.push(rec.name);
      } catch (err) {
        this.opts.log.warn({ network: rec.name, err: errorMessage(err) }, 'prune: network not removed');
      }
    }
    if (deleted.length > 0) this.opts.events.publish('network', 'prune', '', { reclaimed: '0' });
    return { NetworksDeleted: deleted.length > 0 ? deleted : null };
  }

  /** The default bridge's gateway: what `host-gateway` in `--add-host` means. */
  hostGatewayIp(): string | undefined {
    if (this.opts.hostGatewayIp) return this.opts.hostGatewayIp;
    return this.store.all().find((n) => n.predefined && n.driver === 'bridge')?.ipam.config[0]?.Gateway;
  }

  /** Where a network's embedded resolver listens (its gateway), or undefined when it has none. */
  resolverAddress(rec: NetworkRecord): { ip: string; port: number } | undefined {
    const ip = rec.ipam.config[0]?.Gateway;
    return this.dns.has(rec.id) && ip ? { ip, port: this.opts.dnsPort ?? 53 } : undefined;
  }

  private subnetsExcept(id: string | undefined) {
    return this.store
      .all()
      .filter((n) => n.id !== id && n.driver === 'bridge')
      .flatMap((n) => n.ipam.config.map((c) => parseCidr4(c.Subnet)));
  }

  /** The bridge, its firewall rules (unless start-up installs them in its batch) and its embedded resolver. */
  private async setUpBridge(rec: NetworkRecord, opts: { rules: boolean } = { rules: true }): Promise<void> {
    const cfg = rec.ipam.config[0];
    if (!rec.bridge || !cfg) return;
    const prefix = cfg.Subnet.split('/')[1];
    await ensureBridge({ name: rec.bridge, gatewayCidr: cfg.Gateway ? `${cfg.Gateway}/${prefix}` : undefined, mtu: rec.mtu ?? 1500 });
    const rules = bridgeRules(rec);
    if (opts.rules && rules) await this.firewall.addNetwork(rec.id, rules);
    if (hasEmbeddedDns(rec) && cfg.Gateway && !this.dns.has(rec.id)) {
      const names = new NetworkNames(rec.id, () => this.store.all(), () => this.opts.dnsUpstreams ?? hostUpstreams());
      const server = new EmbeddedDnsServer(cfg.Gateway, names, this.opts.log, this.opts.dnsPort ?? 53);
      try {
        await server.start();
        this.dns.set(rec.id, server);
      } catch (err) {
        this.opts.log.warn({ network: rec.name, err: errorMessage(err) }, 'embedded DNS not available on this network');
      }
    }
  }

  private async tearDownBridge(rec: NetworkRecord): Promise<void> {
    this.dns.get(rec.id)?.close();
    this.dns.delete(rec.id);
    await this.firewall.removeNetwork(rec.id);
    if (rec.bridge) await deleteLink(rec.bridge);
  }
}
