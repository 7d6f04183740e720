import { promises as fs } from 'node:fs';
import { execTool, mustExec } from './exec.js';

/**
 * Network namespaces Berth creates before a container's process exists (as dockerd's sandboxes do), so the
 * container is attached to its networks first and the runtime then joins the namespace by path. They are
 * `ip netns` namespaces (a bind-mounted file under /run/netns) named `berth-<engine>-<container id 12>`, so an
 * engine finds exactly its own after a crash, even with other engines on the host.
 */
export const NETNS_DIR = '/run/netns';

export class Sandboxes {
  private readonly prefix: string;
  /** Namespaces named but not made yet: the first veth's `ip -batch` makes them (one spawn less per start). */
  private readonly pending = new Set<string>();

  constructor(engineTag: string) {
    this.prefix = `berth-${engineTag.slice(0, 8)}-`;
  }

  name(containerId: string): string {
    return `${this.prefix}${containerId.slice(0, 12)}`;
  }

  path(containerId: string): string {
    return `${NETNS_DIR}/${this.name(containerId)}`;
  }

  /**
   * Creates the namespace; an existing one (after a restart) is reused. Loopback comes up with the first
   * endpoint's configuration (plugVeth), which saves a spawn per container start.
   */
  async create(containerId: string): Promise<string> {
    this.pending.delete(containerId);
    const name = this.name(containerId);
    const r = await execTool('ip', ['netns', 'add', name]);
    if (r.code !== 0 && !/File exists/.test(r.stderr)) await mustExec('ip', ['netns', 'add', name]);
    return this.path(containerId);
  }

  /** Names the namespace; the caller makes it, with `takePending`, in a batch of its own, or calls `create`. */
  reserve(containerId: string): string {
    this.pending.add(containerId);
    return this.path(containerId);
  }

  /** The name of a reserved namespace not made yet (now the caller's to make), else undefined. */
  takePending(containerId: string): string | undefined {
    if (!this.pending.delete(containerId)) return undefined;
    return this.name(containerId);
  }

  /** Makes a reserved namespace nobody made (no endpoint plugged a veth into it). */
  async ensure(containerId: string): Promise<void> {
    if (this.pending.has(containerId)) await this.create(containerId);
  }

  /** Deletes the namespace; the veth ends inside go with it. A missing one is fine. */
  async remove(containerId: string): Promise<void> {
    this.pending.delete(containerId);
    const r = await execTool('ip', ['netns', 'del', this.name(containerId)]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) await mustExec('ip', ['netns', 'del', this.name(containerId)]);
  }

  /** The 12-character container ID prefixes of this engine's namespaces on the host. */
  async list(): Promise<string[]> {
    const names = await fs.readdir(NETNS_DIR).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith(this.prefix)).map((n) => n.slice(this.prefix.length));
  }
}
