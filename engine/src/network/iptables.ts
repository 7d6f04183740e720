import { execTool, mustExec } from './exec.js';

export type Table = 'filter' | 'nat';

/** One rule: the chain it lives in and its match/target arguments, without the tag (added on install). */
export interface Rule {
  table: Table;
  chain: string;
  args: string[];
}

/**
 * Tags are iptables comments: `berth:<engine>:<owner>`. The engine part lets several engines (test daemons,
 * a dockerd) share the host's tables; the owner part (`n<network>`, `p<container>`) lets one network's or one
 * container's rules go without touching anything else. Removal works from what the kernel has, not from memory,
 * so a restart after kill -9 removes exactly what the previous run installed.
 */
export function ruleTag(engineTag: string, owner: string): string {
  return `berth:${engineTag}:${owner}`;
}

export function tagOfRuleLine(line: string): string | undefined {
  return /--comment "?(berth:[^"\s]+)"?/.exec(line)?.[1];
}

/** Splits an `iptables -S` line into arguments, honouring the double quotes iptables puts around comments. */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string));
  return out;
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_.:/!+=,-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

function restoreScript(lines: Map<Table, string[]>): string {
  let text = '';
  for (const [table, ops] of lines) if (ops.length > 0) text += `*${table}\n${ops.join('\n')}\nCOMMIT\n`;
  return text;
}

export class Iptables {
  constructor(private readonly bin = 'iptables') {}

  private restoreBin(): string {
    return `${this.bin}-restore`;
  }

  async chainExists(table: Table, chain: string): Promise<boolean> {
    return (await execTool(this.bin, ['-w', '-t', table, '-S', chain])).code === 0;
  }

  async ensureChain(table: Table, chain: string): Promise<void> {
    if (await this.chainExists(table, chain)) return;
    const r = await execTool(this.bin, ['-w', '-t', table, '-N', chain]);
    if (r.code !== 0 && !/exists/i.test(r.stderr)) await mustExec(this.bin, ['-w', '-t', table, '-N', chain]);
  }

  async hasRule(rule: Rule): Promise<boolean> {
    return (await execTool(this.bin, ['-w', '-t', rule.table, '-C', rule.chain, ...rule.args])).code === 0;
  }

  /** Makes `rules` the first rules of their chain, in order, each present exactly once (shared, untagged jumps). */
  async ensureAtTop(rules: Rule[]): Promise<void> {
    const present = await Promise.all(rules.map((r) => this.hasRule(r)));
    if (present.every(Boolean)) return;
    for (const rule of rules) {
      while (await this.hasRule(rule)) await mustExec(this.bin, ['-w', '-t', rule.table, '-D', rule.chain, ...rule.args]);
    }
    for (const rule of [...rules].reverse()) {
      await mustExec(this.bin, ['-w', '-t', rule.table, '-I', rule.chain, '1', ...rule.args]);
    }
  }

  /** Appends rules with a tag, in one atomic iptables-restore transaction. */
  async appendTagged(rules: Rule[], tag: string): Promise<void> {
    const byTable = new Map<Table, string[]>();
    for (const r of rules) {
      const line = ['-A', r.chain, ...r.args, '-m', 'comment', '--comment', tag].map(quote).join(' ');
      byTable.set(r.table, [...(byTable.get(r.table) ?? []), line]);
    }
    await this.restore(byTable);
  }

  /** Deletes every rule in the given chains whose tag equals `tag` or starts with `tag:` (one iptables-save). */
  async removeTagged(chains: Array<{ table: Table; chain: string }>, tag: string): Promise<number> {
    const byTable = new Map<Table, string[]>();
    let count = 0;
    const wanted = new Set(chains.map((c) => `${c.table}/${c.chain}`));
    const r = await execTool(`${this.bin}-save`, []);
    if (r.code !== 0) return 0;
    let table: Table | undefined;
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('*')) table = line.slice(1).trim() as Table;
      if (!table || !line.startsWith('-A ')) continue;
      const found = tagOfRuleLine(line);
      if (!found || (found !== tag && !found.startsWith(`${tag}:`))) continue;
      const args = splitRuleLine(line);
      if (!wanted.has(`${table}/${args[1] ?? ''}`)) continue;
      args[0] = '-D';
      byTable.set(table, [...(byTable.get(table) ?? []), args.map(quote).join(' ')]);
      count++;
    }
    await this.restore(byTable);
    return count;
  }

  /** The tagged rules of a chain as `iptables -S` prints them (tests, diagnostics). */
  async listTagged(table: Table, chain: string, tagPrefix: string): Promise<string[]> {
    const r = await execTool(this.bin, ['-w', '-t', table, '-S', chain]);
    if (r.code !== 0) return [];
    return r.stdout.split('\n').filter((l) => (tagOfRuleLine(l) ?? '').startsWith(tagPrefix));
  }

  private async restore(byTable: Map<Table, string[]>): Promise<void> {
    const script = restoreScript(byTable);
    if (script === '') return;
    await mustExec(this.restoreBin(), ['--noflush', '--wait'], script);
  }
}
