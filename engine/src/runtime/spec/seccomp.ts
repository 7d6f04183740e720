import { InvalidArgument } from '../../base/errors.js';
import { edit } from './builder.js';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default.js';
import type { Seccomp, SeccompAction, SeccompArg, SeccompSyscall, SpecOpt } from './types.js';

/** docker's seccomp profile file format (`--security-opt seccomp=FILE`, moby's profiles/seccomp). */
export interface DockerSeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  syscalls?: DockerSeccompRule[];
}

export interface DockerSeccompRule {
  name?: string;
  names?: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  includes?: { caps?: string[]; arches?: string[]; minKernel?: string };
  excludes?: { caps?: string[]; arches?: string[] };
}

/** Node's `process.arch` → libseccomp's architecture name. */
export function seccompArch(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', ia32: 'SCMP_ARCH_X86', arm: 'SCMP_ARCH_ARM' };
  const arch = map[nodeArch];
  if (!arch) throw new InvalidArgument(`seccomp: unsupported architecture ${nodeArch}`);
  return arch;
}

export interface SeccompContext {
  /** The container's bounding capabilities, after --cap-add/--cap-drop. */
  capabilities: string[];
  arch?: string;
}

/** Resolves a docker profile's includes/excludes (capabilities, architectures) into a plain OCI seccomp section. */
export function seccompFromDockerProfile(profile: DockerSeccompProfile, ctx: SeccompContext): Seccomp {
  if (!profile || typeof profile.defaultAction !== 'string') {
    throw new InvalidArgument('Decoding seccomp profile failed: missing defaultAction');
  }
  const arch = ctx.arch ?? seccompArch();
  const caps = new Set(ctx.capabilities);
  let architectures = profile.architectures ?? [];
  const mapped = profile.archMap?.find((a) => a.architecture === arch);
  if (mapped) architectures = [mapped.architecture, ...(mapped.subArchitectures ?? [])];
  if (profile.architectures && profile.archMap) {
    throw new InvalidArgument("Decoding seccomp profile failed: use either 'architectures' or 'archMap'");
  }
  const syscalls: SeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (inc.arches?.length && !inc.arches.some((a) => archMatches(a, arch))) continue;
    if (exc.arches?.some((a) => archMatches(a, arch))) continue;
    if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) continue;
    if (exc.caps?.some((c) => caps.has(c))) continue;
    const names = rule.names ?? (rule.name ? [rule.name] : []);
    if (names.length === 0) throw new InvalidArgument('Decoding seccomp profile failed: a rule names no syscall');
    const out: SeccompSyscall = { names: [...names], action: rule.action };
    if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
    if (rule.args?.length) out.args = rule.args.map((a) => ({ ...a }));
    syscalls.push(out);
  }
  const result: Seccomp = { defaultAction: profile.defaultAction, architectures, syscalls };
  if (profile.defaultErrnoRet !== undefined) result.defaultErrnoRet = profile.defaultErrnoRet;
  return result;
}

// Profiles name arches either by libseccomp name or by Go's GOARCH (moby's `includes.arches` uses the latter).
function archMatches(name: string, scmpArch: string): boolean {
  const goArch: Record<string, string> = { SCMP_ARCH_X86_64: 'amd64', SCMP_ARCH_AARCH64: 'arm64', SCMP_ARCH_X86: '386', SCMP_ARCH_ARM: 'arm' };
  return name === scmpArch || name === goArch[scmpArch];
}

/** `--security-opt seccomp=…`: the default profile, `unconfined`, or a parsed profile file's JSON text. */
export type SeccompSetting = { kind: 'default' } | { kind: 'unconfined' } | { kind: 'profile'; json: string };

export function parseSeccompProfile(json: string): DockerSeccompProfile {
  try {
    return JSON.parse(json) as DockerSeccompProfile;
  } catch (err) {
    throw new InvalidArgument(`Decoding seccomp profile failed: ${(err as Error).message}`);
  }
}

/**
 * Installs the seccomp filter. Apply after `withCapabilities`, since rules depend on the granted capabilities.
 * `--privileged` runs unconfined, as in dockerd.
 */
export function withSeccomp(setting: SeccompSetting = { kind: 'default' }, o: { privileged?: boolean; arch?: string } = {}): SpecOpt {
  return edit((s) => {
    if (setting.kind === 'unconfined' || o.privileged) {
      delete s.linux.seccomp;
      return;
    }
    const profile = setting.kind === 'default' ? DEFAULT_SECCOMP_PROFILE : parseSeccompProfile(setting.json);
    const ctx: SeccompContext = { capabilities: s.process.capabilities?.bounding ?? [] };
    if (o.arch) ctx.arch = o.arch;
    s.linux.seccomp = seccompFromDockerProfile(profile, ctx);
  });
}
