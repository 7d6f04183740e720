import { readFileSync } from 'node:fs';
import { Forbidden, InvalidArgument, errorMessage } from '../base/errors.js';
import { generateId, shortId } from '../base/ids.js';
import { allocateAddress, macForIp } from './ipam.js';
import { plugVeth, unplugVeth } from './links.js';
import { Sandboxes } from './netns.js';
import { networkSettingsView } from './settings.js';
import type { PortMapping, Proto } from './ports.js';
import { buildHostsFile, buildResolvConf } from './sandbox-files.js';
import type { NetworkService } from './service.js';
import type { EndpointIpamConfig, EndpointRecord, NetworkRecord } from './types.js';
import { endpointSettingsView } from './views.js';
import { BRIDGE_OPTS } from './create-request.js';
import { EMBEDDED_RESOLVER_IP, installRedirect, type ResolverRedirect } from './dns/netns-redirect.js';

export interface AttachRequest {
  /** Network ID, name or ID prefix. */
  network: string;
  containerId: string;
  /** Without the leading slash. */
  containerName: string;
  /** The container's network namespace; required for bridge networks. */
  netnsPath?: string;
  aliases?: string[];
  /** `--ip`. */
  ipv4Address?: string;
  macAddress?: string;
  /** Interface name inside the container; default the first free ethN. */
  ifname?: string;
  /** Whether this network may provide the default route (only the first one that does wins). Default true. */
  defaultRoute?: boolean;
  /** `--dns` servers: the embedded DNS forwards this container's queries there. */
  dnsUpstreams?: string[];
  ipamConfig?: EndpointIpamConfig;
  driverOpts?: Record<string, string>;
  links?: string[];
  /**
   * Point the namespace's 127.0.0.11 at this network's embedded resolver, when it has one (a new namespace: the
   * redirect goes in beside the interface's configuration, so it costs no time of its own).
   */
  redirectResolver?: boolean;
}

export interface AttachedEndpoint {
  network: NetworkRecord;
  endpoint: EndpointRecord;
  /** `NetworkSettings.Networks[network.name]`. */
  settings: Record<string, unknown>;
  /** The namespace's 127.0.0.11 now reaches this network's resolver (asked with `redirectResolver`). */
  resolverRedirected?: boolean;
}

export interface PublishRequest {
  hostIp?: string;
  hostPort: number;
  hostPortEnd?: number;
  containerPort: number;
  proto: Proto;
}

export interface SandboxFilesRequest {
  hostname: string;
  domainname?: string;
  extraHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  hostResolvConfPath?: string;
  /** The container's 127.0.0.11 reaches the embedded resolver (redirectResolver said so): it is the nameserver. */
  embeddedResolver?: boolean;
}

/**
 * What the containers layer calls to put a container on networks: attach/detach a network namespace, publish
 * ports, and get the /etc/hosts and /etc/resolv.conf text. Names in the embedded DNS come from the endpoints.
 */
export class ContainerEndpoints {
  readonly sandboxes: Sandboxes;

  constructor(private readonly svc: NetworkService) {
    this.sandboxes = new Sandboxes(svc.opts.engineTag);
  }

  /**
   * A fresh network namespace for a container (loopback up), to attach networks to before the process starts. With
   * `deferred`, the first bridge endpoint makes it in its own `ip -batch` (one spawn less); `ensureSandbox` makes
   * it when no endpoint did.
   */
  createSandbox(containerId: string, opts: { deferred?: boolean } = {}): Promise<string> {
    if (opts.deferred) return Promise.resolve(this.sandboxes.reserve(containerId));
    return this.sandboxes.create(containerId);
  }

  /** The namespace exists once this resolves (after a deferred createSandbox). */
  ensureSandbox(containerId: string): Promise<void> {
    return this.sandboxes.ensure(containerId);
  }

  /** Container stop/removal: ports, endpoints and the namespace go. Safe to call twice. */
  async removeSandbox(containerId: string): Promise<void> {
    // Deleting the namespace takes its veth ends along (asynchronously, in the kernel), so endpoints are only
    // released in the store here: one `ip link del` per network less on every container stop.
    await this.detachAll(containerId, { namespaceGoing: true });
    await this.sandboxes.remove(containerId);
  }

  /**
   * After a restart: everything (endpoints, published ports, namespaces) of containers that are no longer
   * running is released, so a kill -9 of the engine leaks no veths, addresses or rules.
   */
  async reconcile(runningContainerIds: string[]): Promise<void> {
    const live = new Set(runningContainerIds);
    const known = new Set<string>();
    for (const n of this.svc.store.all()) for (const cid of Object.keys(n.endpoints)) known.add(cid);
    for (const cid of known) if (!live.has(cid)) await this.removeSandbox(cid);
    const liveShort = new Set([...live].map((id) => id.slice(0, 12)));
    for (const short of await this.sandboxes.list()) if (!liveShort.has(short)) await this.sandboxes.remove(short);
    for (const owner of this.svc.ports.owners()) if (!live.has(owner)) await this.unpublish(owner);
  }

  async attach(req: AttachRequest): Promise<AttachedEndpoint> {
    return this.svc.lock.run(async () => {
      const net = this.svc.lookup(req.network);
      if (net.endpoints[req.containerId]) {
        throw new Forbidden(`endpoint with name ${req.containerName} already exists in network ${net.name}`);
      }
      const userDefined = net.driver === 'bridge' && !net.predefined;
      const aliases = req.aliases ?? [];
      if (aliases.length > 0 && !userDefined) {
        throw new InvalidArgument('network-scoped alias is supported only for containers in user defined networks');
      }
      if (req.ipv4Address && net.driver === 'bridge' && net.predefined) {
        throw new InvalidArgument('user specified IP address is supported on user defined networks only');
      }
      if (req.ipv4Address && userDefined && !net.userSubnet) {
        throw new InvalidArgument('user specified IP address is supported only when connecting to networks with user configured subnets');
      }
      let redirected = false;
      const endpoint: EndpointRecord = {
        endpointId: generateId(),
        containerId: req.containerId,
        containerName: req.containerName.replace(/^\//, ''),
        ipv4: '',
        prefix: 0,
        macAddress: '',
        aliases,
        dnsNames: userDefined ? unique([req.containerName.replace(/^\//, ''), shortId(req.containerId), ...aliases]) : [],
        requestedIPv4: req.ipv4Address,
        gateway: '',
        dnsUpstreams: req.dnsUpstreams,
        ...(req.ipamConfig ? { ipamConfig: req.ipamConfig } : {}),
        ...(req.driverOpts ? { driverOpts: req.driverOpts } : {}),
        ...(req.links && req.links.length > 0 ? { links: req.links } : {}),
      };
      if (net.driver === 'bridge') {
        if (!req.netnsPath) throw new InvalidArgument(`a network namespace is needed to attach to network ${net.name}`);
        const alloc = allocateAddress(net, req.ipv4Address);
        const mine = this.endpoints(req.containerId).map((a) => a.endpoint);
        const ifname = req.ifname ?? nextIfname(mine.map((e) => e.ifname ?? ''));
        // The first network that can give egress holds the default route, as with dockerd.
        endpoint.defaultRoute = !net.internal && req.defaultRoute !== false && !mine.some((e) => e.defaultRoute);
        endpoint.ipv4 = alloc.ip;
        endpoint.prefix = alloc.prefix;
        endpoint.gateway = alloc.gateway;
        endpoint.macAddress = req.macAddress ?? macForIp(alloc.ip);
        endpoint.netnsPath = req.netnsPath;
        endpoint.ifname = ifname;
        const resolver = req.redirectResolver ? this.svc.resolverAddress(net) : undefined;
        const netnsPath = req.netnsPath;
        const alongside = resolver
          ? async () => {
              redirected = await this.installRedirectOrWarn(req.containerId, netnsPath, { target: resolver, source: alloc.ip }, { jumps: true });
            }
          : undefined;
        endpoint.hostIf = await plugVeth({
          bridge: net.bridge as string,
          netnsPath: req.netnsPath,
          ifname,
          ipCidr: `${alloc.ip}/${alloc.prefix}`,
          macAddress: endpoint.macAddress,
          mtu: net.mtu ?? 1500,
          defaultGateway: endpoint.defaultRoute ? alloc.gateway : undefined,
          createNetns: req.netnsPath === this.sandboxes.path(req.containerId) ? this.sandboxes.takePending(req.containerId) : undefined,
          ...(alongside ? { alongside } : {}),
        });
        if (!req.ipv4Address) net.lastAllocated = alloc.ip;
      }
      net.endpoints[req.containerId] = endpoint;
      try {
        await this.svc.store.save(net);
      } catch (err) {
        delete net.endpoints[req.containerId];
        if (endpoint.netnsPath && endpoint.ifname) await unplugVeth(endpoint.netnsPath, endpoint.ifname, endpoint.hostIf ?? '');
        throw err;
      }
      this.svc.opts.events.publish('network', 'connect', net.id, { container: req.containerId, name: net.name, type: net.driver });
      return { network: net, endpoint, settings: endpointSettingsView(net, endpoint), ...(redirected ? { resolverRedirected: true } : {}) };
    });
  }

  /** Takes a container off a network; `force` (or a namespace already gone) never fails on the kernel side. */
  async detach(network: string, containerId: string, opts: { force?: boolean; namespaceGoing?: boolean } = {}): Promise<void> {
    await this.svc.lock.run(async () => {
      const net = this.svc.lookup(network);
      const ep = net.endpoints[containerId];
      if (!ep) throw new Forbidden(`container ${containerId} is not connected to network ${net.name}`);
      if (ep.netnsPath && ep.ifname && !opts.namespaceGoing) {
        await unplugVeth(ep.netnsPath, ep.ifname, ep.hostIf ?? '').catch((err: unknown) => {
          if (!opts.force) throw err;
        });
      }
      delete net.endpoints[containerId];
      await this.svc.store.save(net);
      this.svc.opts.events.publish('network', 'disconnect', net.id, { container: containerId, name: net.name, type: net.driver });
      // The container's 127.0.0.11 may have gone to this network's resolver: point it at one it still has.
      if (!opts.namespaceGoing && this.svc.resolverAddress(net)) await this.redirectResolver(containerId, { newNamespace: false });
    });
  }

  /**
   * Where a container's 127.0.0.11 should go now (after it left the network it went to): the resolver of its
   * default-route network, else of its first user-defined network that has one. Any of them answers with the names
   * of all the container's networks.
   */
  private resolverRedirect(containerId: string): { netnsPath: string; redirect: ResolverRedirect } | undefined {
    const candidates = this.endpoints(containerId).flatMap(({ network, endpoint }) => {
      const target = endpoint.ipv4 && endpoint.netnsPath ? this.svc.resolverAddress(network) : undefined;
      return target ? [{ endpoint, target }] : [];
    });
    const chosen = candidates.find((c) => c.endpoint.defaultRoute) ?? candidates[0];
    if (!chosen?.endpoint.netnsPath) return undefined;
    return { netnsPath: chosen.endpoint.netnsPath, redirect: { target: chosen.target, source: chosen.endpoint.ipv4 } };
  }

  /**
   * dockerd's 127.0.0.11 inside the container's namespace (attach first; a container start asks `attach` instead,
   * which does it beside the interface set-up): true when it reaches the embedded DNS of one of its networks. Not
   * one of them has one (only the default bridge, or a resolver that could not bind), or the redirect could not be
   * installed: false, and resolv.conf names the host's servers instead.
   */
  async redirectResolver(containerId: string, opts: { newNamespace: boolean }): Promise<boolean> {
    const found = this.resolverRedirect(containerId);
    if (!found) return false;
    return this.installRedirectOrWarn(containerId, found.netnsPath, found.redirect, { jumps: opts.newNamespace });
  }

  private async installRedirectOrWarn(containerId: string, netnsPath: string, redirect: ResolverRedirect, opts: { jumps: boolean }): Promise<boolean> {
    try {
      await installRedirect(netnsPath, redirect, opts);
      return true;
    } catch (err) {
      this.svc.opts.log.warn({ container: containerId, err: errorMessage(err) }, 'embedded DNS not reachable at 127.0.0.11 in this container');
      return false;
    }
  }

  /** Container stop or removal: unpublish its ports and leave every network. */
  async detachAll(containerId: string, opts: { namespaceGoing?: boolean } = {}): Promise<void> {
    await this.unpublish(containerId);
    for (const { network } of this.endpoints(containerId)) await this.detach(network.id, containerId, { force: true, ...opts });
  }

  endpoints(containerId: string): AttachedEndpoint[] {
    return this.svc.store
      .all()
      .filter((n) => n.endpoints[containerId])
      .map((n) => ({ network: n, endpoint: n.endpoints[containerId] as EndpointRecord, settings: endpointSettingsView(n, n.endpoints[containerId] as EndpointRecord) }));
  }

  /** Keeps DNS names and inspect's `Containers` right after `docker rename`. */
  async rename(containerId: string, newName: string): Promise<void> {
    await this.svc.lock.run(async () => {
      for (const { network, endpoint } of this.endpoints(containerId)) {
        const old = endpoint.containerName;
        endpoint.containerName = newName.replace(/^\//, '');
        endpoint.dnsNames = endpoint.dnsNames.length > 0 ? unique([endpoint.containerName, ...endpoint.dnsNames.filter((d) => d !== old)]) : [];
        await this.svc.store.save(network);
      }
    });
  }

  /**
   * Publishes ports on the container's first bridge endpoint that has egress (dockerd publishes on the
   * gateway network). Host/none containers publish nothing, as with dockerd.
   */
  async publish(containerId: string, requests: PublishRequest[]): Promise<PortMapping[]> {
    if (requests.length === 0) return [];
    const candidates = this.endpoints(containerId).filter((a) => a.network.driver === 'bridge' && a.endpoint.ipv4);
    const chosen = candidates.find((a) => !a.network.internal) ?? candidates[0];
    if (!chosen) return [];
    const defaultHostIp = chosen.network.options[BRIDGE_OPTS.hostBinding] ?? '0.0.0.0';
    return this.svc.ports.map(
      containerId,
      requests.map((r) => ({ ...r, hostIp: r.hostIp || defaultHostIp, containerIp: chosen.endpoint.ipv4, bridge: chosen.network.bridge as string })),
    );
  }

  async unpublish(containerId: string): Promise<void> {
    await this.svc.ports.unmap(containerId);
  }

  published(containerId: string): PortMapping[] {
    return this.svc.ports.mappings(containerId);
  }

  /** `NetworkSettings` for inspect: endpoints, published ports (exposed ones shown as null when unpublished). */
  networkSettings(containerId: string, exposed: string[], sandboxKey = ''): Record<string, unknown> {
    return networkSettingsView(sandboxKey, this.endpoints(containerId), this.published(containerId), exposed);
  }

  /** /etc/hosts and /etc/resolv.conf for a container, from its endpoints (attach first). */
  sandboxFiles(containerId: string, req: SandboxFilesRequest): { hosts: string; resolvConf: string; upstreams: string[] } {
    const attached = this.endpoints(containerId);
    const first = attached[0];
    const hostPath = req.hostResolvConfPath ?? '/etc/resolv.conf';
    const hostText = readTextOr(hostPath, '');
    const embedded = req.embeddedResolver ? EMBEDDED_RESOLVER_IP : undefined;
    const resolv = buildResolvConf({ host: hostText, hostPath, dns: req.dns, dnsSearch: req.dnsSearch, dnsOptions: req.dnsOptions, embeddedResolver: embedded });
    const hosts = buildHostsFile({
      hostname: req.hostname,
      domainname: req.domainname,
      ip: first?.endpoint.ipv4 || undefined,
      extraHosts: req.extraHosts,
      hostGatewayIp: this.svc.hostGatewayIp(),
    });
    return { hosts, resolvConf: resolv.text, upstreams: resolv.upstreams };
  }
}

function readTextOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function unique(list: string[]): string[] {
  return [...new Set(list.filter((s) => s !== ''))];
}

function nextIfname(taken: string[]): string {
  const present = new Set(taken);
  for (let i = 0; ; i++) if (!present.has(`eth${i}`)) return `eth${i}`;
}
