import { ALL_CHAINS, BASE_JUMPS, RETIRED_CHAINS, networkRules, portRules, type BridgeNetworkRules, type PortRuleSpec } from './firewall-rules.js';
import { Iptables, RestoreBatch, ruleTag } from './iptables.js';

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

  /** False when the engine runs with --iptables=false: no DNAT, so no flows to fix up either. */
  get active(): boolean {
    return this.enabled;
  }

  /** The tag prefix of every rule of this engine (tests look for leftovers with it). */
  get tag(): string {
    return ruleTag(this.engineTag, '').replace(/:$/, '');
  }

  /**
   * Start-up: creates the chains and shared jumps that are missing, removes the chains older versions used and
   * whatever this engine's previous run left, and installs the rules of `networks`, all from one iptables-save and in one iptables-restore (a spawn per
   * rule cost ~0.5 s here and far more in the VM under TCG).
   */
  async init(networks: Array<{ id: string; rules: BridgeNetworkRules }> = []): Promise<void> {
    if (!this.enabled) return;
    const snap = await this.ipt.save();
    const batch = new RestoreBatch();
    for (const { table, chain } of ALL_CHAINS) batch.ensureChain(snap, table, chain);
    for (const group of BASE_JUMPS) batch.ensureAtTop(snap, group);
    for (const r of RETIRED_CHAINS) batch.removeChain(snap, r.table, r.chain, r.jumpsFrom);
    batch.removeTagged(snap, ALL_CHAINS, this.tag);
    for (const n of networks) batch.appendTagged(networkRules(n.rules), ruleTag(this.engineTag, `n${n.id.slice(0, 12)}`));
    await this.ipt.apply(batch);
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
