import { InvalidArgument } from '../base/errors.js';
import type { ContainerConfigJson } from '../images/deps.js';
import type { ContainerConfig, HealthConfig } from './types.js';

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** The create request's Config with every field present, as dockerd stores it. */
export function normalizeConfig(input: Partial<ContainerConfig> | undefined): ContainerConfig {
  const c = input ?? {};
  const entrypoint = c.Entrypoint === undefined ? null : c.Entrypoint;
  return {
    Hostname: c.Hostname ?? '',
    Domainname: c.Domainname ?? '',
    User: c.User ?? '',
    AttachStdin: c.AttachStdin ?? false,
    AttachStdout: c.AttachStdout ?? false,
    AttachStderr: c.AttachStderr ?? false,
    ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: c.Tty ?? false,
    OpenStdin: c.OpenStdin ?? false,
    StdinOnce: c.StdinOnce ?? false,
    Env: c.Env ?? [],
    Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    Image: c.Image ?? '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    // `--entrypoint ""` arrives as [""]: it clears the image's entrypoint.
    Entrypoint: entrypoint !== null && entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? {},
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.StopTimeout !== undefined && c.StopTimeout !== null ? { StopTimeout: c.StopTimeout } : {}),
    ...(c.Shell ? { Shell: c.Shell } : {}),
    ...(c.NetworkDisabled ? { NetworkDisabled: true } : {}),
    ...(c.ArgsEscaped ? { ArgsEscaped: true } : {}),
  };
}

function mergeHealth(user: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig | undefined {
  if (!user) return image;
  if (!image) return user;
  return {
    ...user,
    Test: user.Test && user.Test.length > 0 ? user.Test : image.Test,
    Interval: user.Interval || image.Interval,
    Timeout: user.Timeout || image.Timeout,
    StartPeriod: user.StartPeriod || image.StartPeriod,
    StartInterval: user.StartInterval || image.StartInterval,
    Retries: user.Retries || image.Retries,
  } as HealthConfig;
}

/**
 * dockerd's merge of the image config into the user's: user values win; Env and Labels combine by key; Cmd and
 * Entrypoint come from the image only when the user gave no entrypoint.
 */
export function mergeImageConfig(user: ContainerConfig, image: ContainerConfigJson | undefined): ContainerConfig {
  const img = image ?? {};
  const out: ContainerConfig = { ...user };
  if (out.User === '') out.User = img.User ?? '';
  if (out.Env.length === 0) out.Env = [...(img.Env ?? [])];
  else {
    const keys = new Set(out.Env.map(envKey));
    for (const e of img.Env ?? []) if (!keys.has(envKey(e))) out.Env.push(e);
  }
  if (!out.Entrypoint || out.Entrypoint.length === 0) {
    if (!out.Cmd || out.Cmd.length === 0) out.Cmd = img.Cmd ?? null;
    if (out.Entrypoint === null) out.Entrypoint = img.Entrypoint ?? null;
  }
  if (out.WorkingDir === '') out.WorkingDir = img.WorkingDir ?? '';
  if (img.ExposedPorts) out.ExposedPorts = { ...img.ExposedPorts, ...(out.ExposedPorts ?? {}) };
  if (img.Volumes) out.Volumes = { ...img.Volumes, ...(out.Volumes ?? {}) };
  out.Labels = { ...(img.Labels ?? {}), ...out.Labels };
  if (!out.StopSignal && img.StopSignal) out.StopSignal = img.StopSignal;
  const health = mergeHealth(out.Healthcheck, img.Healthcheck as HealthConfig | undefined);
  if (health) out.Healthcheck = health;
  if (!out.OnBuild && img.OnBuild) out.OnBuild = img.OnBuild;
  if (!out.Shell && img.Shell) out.Shell = img.Shell;
  return out;
}

/** The process to run: entrypoint then cmd. `No command specified` (400) when there is neither. */
export function entrypointAndArgs(config: ContainerConfig): { path: string; args: string[] } {
  const full = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (full.length === 0) throw new InvalidArgument('no command specified');
  return { path: full[0] as string, args: full.slice(1) };
}
