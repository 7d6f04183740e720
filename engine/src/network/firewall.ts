import { ALL_CHAINS, BASE_JUMPS, networkRules, portRules, type BridgeNetworkRules, type PortRuleSpec } from './firewall-rules.js';
import { Iptables, ruleTag } from './iptables.js';

/**
 * Berth's firewall state for one engine: every rule it installs is tagged with the engine's tag, so start-up
 * can remove whatever a previous run (even a kill -9) left, then install the current state once.
 */
export class Firewall {
  private readonly ipt: Iptables;
  private readonly engineTag: string;
  private readonly enabled: boolean;

  constructor(opts: { engineTag: string; enabled: boolean; iptables?: Iptables }) {
    this.engineTag = opts.engineTag;
    this.enabled = opts.enabled;
    this.ipt = opts.iptables ?? new Iptables();
  }

  /** The tag prefix of every rule of this engine (tests look for leftovers with it). */
  get tag(): string {
    return ruleTag(this.engineTag, '').replace(/:$/, '');
  }

  async init(): Promise<void> {
    if (!this.enabled) return;
    for (const { table, chain } of ALL_CHAINS) await this.ipt.ensureChain(table, chain);
    for (const group of BASE_JUMPS) await this.ipt.ensureAtTop(group);
    await this.removeAll();
  }

  /** Removes every rule this engine installed (start-up and shutdown). */
  async removeAll(): Promise<number> {
    if (!this.enabled) return 0;
    return this.ipt.removeTagged(ALL_CHAINS, this.tag);
  }

  async addNetwork(networkId: string, spec: BridgeNetworkRules): Promise<void> {
    if (!this.enabled) return;
    await this.removeNetwork(networkId);
    await this.ipt.appendTagged(networkRules(spec), ruleTag(this.engineTag, `n${networkId.slice(0, 12)}`));
  }

  async removeNetwork(networkId: string): Promise<void> {
    if (!this.enabled) return;
    await this.ipt.removeTagged(ALL_CHAINS, ruleTag(this.engineTag, `n${networkId.slice(0, 12)}`));
  }

  /** Installs the DNAT/accept/hairpin rules of a set of published ports owned by one container. */
  async addPorts(owner: string, specs: PortRuleSpec[]): Promise<void> {
    if (!this.enabled || specs.length === 0) return;
    await this.ipt.appendTagged(specs.flatMap(portRules), ruleTag(this.engineTag, `p${owner.slice(0, 12)}`));
  }

  async removePorts(owner: string): Promise<void> {
    if (!this.enabled) return;
    await this.ipt.removeTagged(ALL_CHAINS, ruleTag(this.engineTag, `p${owner.slice(0, 12)}`));
  }

  /** The rules this engine has installed right now, as `iptables -S` prints them. */
  async listRules(): Promise<string[]> {
    const out: string[] = [];
    for (const { table, chain } of ALL_CHAINS) out.push(...(await this.ipt.listTagged(table, chain, `${this.tag}:`)));
    return out;
  }
}
