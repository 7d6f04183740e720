import type { ContainerEndpoints } from './endpoints.js';
import type { PlannedEndpoint } from './types.js';
import { publishRequests, type PortBindings } from './publish-spec.js';

/** Everything about one container's networking that the containers layer knows at start. */
export interface ContainerNetworkPlan {
  containerId: string;
  containerName: string;
  hostname: string;
  domainname?: string;
  /** Networks to join, the first one giving the default route (`--network` then `NetworkingConfig`). */
  networks: PlannedEndpoint[];
  portBindings?: PortBindings | null;
  /** `Config.ExposedPorts` keys (`80/tcp`). */
  exposedPorts?: string[];
  publishAll?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  extraHosts?: string[];
}

export interface ContainerNetworkResult {
  /** The namespace the runtime must join (`{kind:'path'}`). */
  netnsPath: string;
  hosts: string;
  resolvConf: string;
  /** `NetworkSettings` for inspect. */
  settings: Record<string, unknown>;
}

/**
 * One call for a container on bridge networks: a fresh namespace, an endpoint per network, published ports, the
 * embedded resolver at 127.0.0.11 (user-defined networks) and the /etc/hosts and /etc/resolv.conf text. On any failure everything done so far is undone. The reverse is
 * `endpoints.removeSandbox(containerId)`.
 */
export async function setUpContainerNetwork(endpoints: ContainerEndpoints, plan: ContainerNetworkPlan): Promise<ContainerNetworkResult> {
  const netnsPath = await endpoints.createSandbox(plan.containerId, { deferred: true });
  try {
    // 127.0.0.11 goes to the resolver of the first network that has one.
    let embeddedResolver = false;
    for (const n of plan.networks) {
      const attached = await endpoints.attach({
        network: n.network,
        containerId: plan.containerId,
        containerName: plan.containerName,
        netnsPath,
        aliases: n.aliases,
        ipv4Address: n.ipv4Address || undefined,
        macAddress: n.macAddress || undefined,
        dnsUpstreams: plan.dns,
        ipamConfig: n.ipamConfig,
        driverOpts: n.driverOpts,
        links: n.links,
        redirectResolver: !embeddedResolver,
      });
      embeddedResolver ||= attached.resolverRedirected === true;
    }
    await endpoints.ensureSandbox(plan.containerId);
    await endpoints.publish(plan.containerId, publishRequests(plan.portBindings, plan.exposedPorts ?? [], plan.publishAll ?? false));
    const files = endpoints.sandboxFiles(plan.containerId, {
      hostname: plan.hostname,
      domainname: plan.domainname,
      extraHosts: plan.extraHosts,
      dns: plan.dns,
      dnsSearch: plan.dnsSearch,
      dnsOptions: plan.dnsOptions,
      embeddedResolver,
    });
    return {
      netnsPath,
      hosts: files.hosts,
      resolvConf: files.resolvConf,
      settings: endpoints.networkSettings(plan.containerId, plan.exposedPorts ?? [], netnsPath),
    };
  } catch (err) {
    await endpoints.removeSandbox(plan.containerId).catch(() => undefined);
    throw err;
  }
}
