/**
 * A plugin's user-settable values: the settings it starts with (from its config) and `docker plugin set`, with
 * dockerd's rules: `NAME[.FIELD][=VALUE]`, only fields the config marks settable, one of env `value`, args
 * `value`, mount `source`, device `path`.
 */
import { SystemError } from '../base/errors.js';
import type { PluginConfig, PluginDevice, PluginMount } from './config.js';

export interface PluginSettings {
  Args: string[];
  Devices: PluginDevice[];
  Env: string[];
  Mounts: PluginMount[];
}

export function initialSettings(c: PluginConfig): PluginSettings {
  return {
    Mounts: (c.Mounts ?? []).map((m) => ({ ...m })),
    Devices: (c.Linux.Devices ?? []).map((d) => ({ ...d })),
    Env: (c.Env ?? []).filter((e) => e.Value !== null).map((e) => `${e.Name}=${e.Value}`),
    Args: [...(c.Args.Value ?? [])],
  };
}

interface Settable {
  name: string;
  field: string;
  value: string;
}

function parseSettable(arg: string): Settable {
  const eq = arg.indexOf('=');
  if (eq === 0) throw new SystemError('invalid format, must be <name>[.<field>][=<value>]');
  let name = eq < 0 ? arg : arg.slice(0, eq);
  const value = eq < 0 ? '' : arg.slice(eq + 1);
  let field = '';
  const dot = name.lastIndexOf('.');
  if (dot > 0) {
    field = name.slice(dot + 1);
    name = name.slice(0, dot);
  }
  return { name, field, value };
}

function checkSettable(s: Settable, allowed: string, settable: string[] | null): void {
  const list = settable ?? [];
  let field = s.field;
  if (field === '') {
    if (list.length === 1) field = list[0]!;
    else if (list.length > 1) throw new SystemError('multiple fields are settable, one must be specified');
  }
  if (field !== allowed || !list.includes(field)) {
    throw new SystemError(`${JSON.stringify(s.field ? `${s.name}.${s.field}` : s.name)} is not settable`);
  }
}

/** Applies `docker plugin set` arguments to a copy of the settings (and of the config, for mounts and devices). */
export function applySettings(config: PluginConfig, settings: PluginSettings, args: string[]): { config: PluginConfig; settings: PluginSettings } {
  const c = structuredClone(config);
  const s = structuredClone(settings);
  for (const set of args.map(parseSettable)) {
    const env = (c.Env ?? []).find((e) => e.Name === set.name);
    if (env) {
      checkSettable(set, 'value', env.Settable);
      const i = s.Env.findIndex((e) => e.split('=', 1)[0] === set.name);
      if (i >= 0) s.Env[i] = `${set.name}=${set.value}`;
      else s.Env.push(`${set.name}=${set.value}`);
      continue;
    }
    const mount = (c.Mounts ?? []).findIndex((m) => m.Name === set.name);
    if (mount >= 0) {
      checkSettable(set, 'source', c.Mounts![mount]!.Settable);
      // dockerd's settings share the config's Source pointer, so both change.
      c.Mounts![mount]!.Source = set.value;
      if (s.Mounts[mount]) s.Mounts[mount].Source = set.value;
      continue;
    }
    const device = (c.Linux.Devices ?? []).findIndex((d) => d.Name === set.name);
    if (device >= 0) {
      checkSettable(set, 'path', c.Linux.Devices![device]!.Settable);
      c.Linux.Devices![device]!.Path = set.value;
      if (s.Devices[device]) s.Devices[device].Path = set.value;
      continue;
    }
    if (c.Args.Name === set.name) {
      checkSettable(set, 'value', c.Args.Settable);
      s.Args = set.value.split(' ');
      continue;
    }
    throw new SystemError(`setting ${JSON.stringify(set.name)} not found in the plugin configuration`);
  }
  return { config: c, settings: s };
}
