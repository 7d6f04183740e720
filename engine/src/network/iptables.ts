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

/** The `-A` line of a rule as iptables-save prints it (our rules are written in that canonical form). */
function ruleLine(r: Rule, tag?: string): string {
  return ['-A', r.chain, ...r.args, ...(tag ? ['-m', 'comment', '--comment', tag] : [])].map(quote).join(' ');
}

/** What one `iptables-save` showed: the chains of each table and their rules, in order. */
export class TablesSnapshot {
  readonly chains = new Set<string>();
  readonly rules: Array<{ table: Table; chain: string; line: string }> = [];

  static parse(text: string): TablesSnapshot {
    const snap = new TablesSnapshot();
    let table: Table | undefined;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('*')) table = line.slice(1) as Table;
      else if (table && line.startsWith(':')) snap.chains.add(`${table}/${line.slice(1).split(' ')[0] ?? ''}`);
      else if (table && line.startsWith('-A ')) snap.rules.push({ table, chain: splitRuleLine(line)[1] ?? '', line });
    }
    return snap;
  }

  hasChain(table: Table, chain: string): boolean {
    return this.chains.has(`${table}/${chain}`);
  }

  chainRules(table: Table, chain: string): string[] {
    return this.rules.filter((r) => r.table === table && r.chain === chain).map((r) => r.line);
  }
}

/**
 * One iptables-restore --noflush transaction being planned: ops per table, chain declarations first (a declared
 * chain that exists would be flushed, so only missing ones are declared).
 */
export class RestoreBatch {
  private readonly decls = new Map<Table, string[]>();
  private readonly ops = new Map<Table, string[]>();

  private push(map: Map<Table, string[]>, table: Table, line: string): void {
    map.set(table, [...(map.get(table) ?? []), line]);
  }

  get empty(): boolean {
    return this.decls.size === 0 && this.ops.size === 0;
  }

  ensureChain(snap: TablesSnapshot, table: Table, chain: string): void {
    if (!snap.hasChain(table, chain)) this.push(this.decls, table, `:${chain} - [0:0]`);
  }

  /**
   * Shared, untagged jumps: when one of `rules` is missing, removes every copy of them and inserts them as the
   * first rules of their chain, in order. Present ones are left where they are (another engine may have added its
   * own jumps above since).
   */
  ensureAtTop(snap: TablesSnapshot, rules: Rule[]): void {
    const first = rules[0];
    if (!first) return;
    const wanted = rules.map((r) => ruleLine(r));
    const current = snap.chainRules(first.table, first.chain);
    if (wanted.every((w) => current.includes(w))) return;
    for (const w of wanted) for (const l of current) if (l === w) this.push(this.ops, first.table, `-D${w.slice(2)}`);
    for (const r of [...rules].reverse()) this.push(this.ops, r.table, ['-I', r.chain, '1', ...r.args].map(quote).join(' '));
  }

  /** Deletes every rule in `chains` whose tag equals `tag` or starts with `tag:`; returns how many. */
  removeTagged(snap: TablesSnapshot, chains: Array<{ table: Table; chain: string }>, tag: string): number {
    const wanted = new Set(chains.map((c) => `${c.table}/${c.chain}`));
    let count = 0;
    for (const r of snap.rules) {
      const found = tagOfRuleLine(r.line);
      if (!found || (found !== tag && !found.startsWith(`${tag}:`)) || !wanted.has(`${r.table}/${r.chain}`)) continue;
      const args = splitRuleLine(r.line);
      args[0] = '-D';
      this.push(this.ops, r.table, args.map(quote).join(' '));
      count++;
    }
    return count;
  }

  /** Deletes a chain that exists, with every jump into it from `jumpsFrom` (its rules, whoever made them, go too). */
  removeChain(snap: TablesSnapshot, table: Table, chain: string, jumpsFrom: string[]): void {
    if (!snap.hasChain(table, chain)) return;
    for (const from of jumpsFrom) {
      for (const line of snap.chainRules(table, from)) {
        const args = splitRuleLine(line);
        const target = args.indexOf('-j');
        if (target < 0 || args[target + 1] !== chain) continue;
        args[0] = '-D';
        this.push(this.ops, table, args.map(quote).join(' '));
      }
    }
    this.push(this.ops, table, `-F ${chain}`);
    this.push(this.ops, table, `-X ${chain}`);
  }

  appendTagged(rules: Rule[], tag: string): void {
    for (const r of rules) this.push(this.ops, r.table, ruleLine(r, tag));
  }

  script(): string {
    const byTable = new Map<Table, string[]>();
    for (const t of new Set([...this.decls.keys(), ...this.ops.keys()])) byTable.set(t, [...(this.decls.get(t) ?? []), ...(this.ops.get(t) ?? [])]);
    return restoreScript(byTable);
  }
}

export class Iptables {
  constructor(private readonly bin = 'iptables') {}

  /** Every table's chains and rules, in one spawn. */
  async save(): Promise<TablesSnapshot> {
    return TablesSnapshot.parse(await mustExec(`${this.bin}-save`, []));
  }

  /** Applies a planned batch as one atomic iptables-restore --noflush (one spawn). */
  async apply(batch: RestoreBatch): Promise<void> {
    if (batch.empty) return;
    await mustExec(`${this.bin}-restore`, ['--noflush', '--wait'], batch.script());
  }

  /** Appends rules with a tag, in one atomic iptables-restore transaction. */
  async appendTagged(rules: Rule[], tag: string): Promise<void> {
    const batch = new RestoreBatch();
    batch.appendTagged(rules, tag);
    await this.apply(batch);
  }

  /** Deletes every rule in the given chains whose tag equals `tag` or starts with `tag:` (one iptables-save). */
  async removeTagged(chains: Array<{ table: Table; chain: string }>, tag: string): Promise<number> {
    const r = await execTool(`${this.bin}-save`, []);
    if (r.code !== 0) return 0;
    const batch = new RestoreBatch();
    const count = batch.removeTagged(TablesSnapshot.parse(r.stdout), chains, tag);
    await this.apply(batch);
    return count;
  }

  /** The tagged rules of a chain as `iptables -S` prints them (tests, diagnostics). */
  async listTagged(table: Table, chain: string, tagPrefix: string): Promise<string[]> {
    const r = await execTool(this.bin, ['-w', '-t', table, '-S', chain]);
    if (r.code !== 0) return [];
    return r.stdout.split('\n').filter((l) => (tagOfRuleLine(l) ?? '').startsWith(tagPrefix));
  }
}
