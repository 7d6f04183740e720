/**
 * A managed plugin's config (its `config.json`, the `application/vnd.docker.plugin.v1+json` blob) decoded as dockerd
 * decodes it into `types.PluginConfig`: keys matched case-insensitively (plugin authors write `entrypoint`,
 * `interface.types`), every field present in the answer with Go's zero value, interface types written as
 * `prefix.capability/version` strings, and a wrong JSON type refused in Go's words.
 */
import { SystemError } from '../base/errors.js';

export interface PluginEnv {
  Description: string;
  Name: string;
  Settable: string[] | null;
  Value: string | null;
}

export interface PluginMount {
  Description: string;
  Destination: string;
  Name: string;
  Options: string[] | null;
  Settable: string[] | null;
  Source: string | null;
  Type: string;
}

export interface PluginDevice {
  Description: string;
  Name: string;
  Path: string | null;
  Settable: string[] | null;
}

export interface PluginConfig {
  Args: { Description: string; Name: string; Settable: string[] | null; Value: string[] | null };
  Description: string;
  DockerVersion?: string;
  Documentation: string;
  Entrypoint: string[] | null;
  Env: PluginEnv[] | null;
  Interface: { ProtocolScheme?: string; Socket: string; Types: string[] | null };
  IpcHost: boolean;
  Linux: { AllowAllDevices: boolean; Capabilities: string[] | null; Devices: PluginDevice[] | null };
  Mounts: PluginMount[] | null;
  Network: { Type: string };
  PidHost: boolean;
  PropagatedMount: string;
  User: { GID?: number; UID?: number };
  WorkDir: string;
  rootfs?: { diff_ids: string[] | null; type?: string };
}

export interface InterfaceType {
  prefix: string;
  capability: string;
  version: string;
}

/** Go's `PluginInterfaceType.UnmarshalJSON`: the last `.` before the first `/` splits prefix from capability. */
export function parseInterfaceType(s: string): InterfaceType {
  const slash = s.indexOf('/');
  const head = slash < 0 ? s : s.slice(0, slash);
  const dot = head.lastIndexOf('.');
  return {
    prefix: dot < 0 ? '' : head.slice(0, dot),
    capability: head.slice(dot + 1),
    version: slash < 0 ? '' : s.slice(slash + 1),
  };
}

export function formatInterfaceType(t: InterfaceType): string {
  return `${t.prefix}.${t.capability}/${t.version}`;
}

type Shape =
  | 'string'
  | 'bool'
  | 'uint32'
  | 'strings'
  | 'ptrString'
  | 'interfaceTypes'
  | { object: string; fields: Record<string, Shape>; omitEmpty?: readonly string[] }
  | { arrayOf: Shape };

const ENV: Shape = { object: 'PluginEnv', fields: { Description: 'string', Name: 'string', Settable: 'strings', Value: 'ptrString' } };
const MOUNT: Shape = {
  object: 'PluginMount',
  fields: { Description: 'string', Destination: 'string', Name: 'string', Options: 'strings', Settable: 'strings', Source: 'ptrString', Type: 'string' },
};
const DEVICE: Shape = { object: 'PluginDevice', fields: { Description: 'string', Name: 'string', Path: 'ptrString', Settable: 'strings' } };

const CONFIG: Shape = {
  object: 'PluginConfig',
  fields: {
    Args: { object: 'PluginConfigArgs', fields: { Description: 'string', Name: 'string', Settable: 'strings', Value: 'strings' } },
    Description: 'string',
    DockerVersion: 'string',
    Documentation: 'string',
    Entrypoint: 'strings',
    Env: { arrayOf: ENV },
    Interface: {
      object: 'PluginConfigInterface',
      fields: { ProtocolScheme: 'string', Socket: 'string', Types: 'interfaceTypes' },
      omitEmpty: ['ProtocolScheme'],
    },
    IpcHost: 'bool',
    Linux: { object: 'PluginConfigLinux', fields: { AllowAllDevices: 'bool', Capabilities: 'strings', Devices: { arrayOf: DEVICE } } },
    Mounts: { arrayOf: MOUNT },
    Network: { object: 'PluginConfigNetwork', fields: { Type: 'string' } },
    PidHost: 'bool',
    PropagatedMount: 'string',
    User: { object: 'PluginConfigUser', fields: { GID: 'uint32', UID: 'uint32' }, omitEmpty: ['GID', 'UID'] },
    WorkDir: 'string',
  },
  omitEmpty: ['DockerVersion'],
};

const ROOTFS: Shape = { object: 'PluginConfigRootfs', fields: { diff_ids: 'strings', type: 'string' }, omitEmpty: ['type'] };

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function goType(shape: Shape): string {
  if (typeof shape === 'string') {
    return { string: 'string', bool: 'bool', uint32: 'uint32', strings: '[]string', ptrString: 'string', interfaceTypes: '[]types.PluginInterfaceType' }[shape];
  }
  return 'arrayOf' in shape ? `[]types.${(shape.arrayOf as { object: string }).object}` : `types.${shape.object}`;
}

class DecodeError extends SystemError {}

function mismatch(value: unknown, shape: Shape, where: string): never {
  throw new DecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${where} of type ${goType(shape)}`);
}

function decode(value: unknown, shape: Shape, where: string): unknown {
  // Go leaves a field at its zero value for a JSON null.
  if (value === null || value === undefined) return zero(shape);
  if (shape === 'string' || shape === 'ptrString') return typeof value === 'string' ? value : mismatch(value, shape, where);
  if (shape === 'bool') return typeof value === 'boolean' ? value : mismatch(value, shape, where);
  if (shape === 'uint32') {
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? value : mismatch(value, shape, where);
  }
  if (shape === 'strings' || shape === 'interfaceTypes') {
    if (!Array.isArray(value)) return mismatch(value, shape, where);
    return value.map((v) => {
      if (typeof v !== 'string') {
        if (shape === 'interfaceTypes') throw new DecodeError(`${JSON.stringify(JSON.stringify(v))} is not a plugin interface type`);
        return mismatch(v, 'string', where);
      }
      return shape === 'interfaceTypes' ? formatInterfaceType(parseInterfaceType(v)) : v;
    });
  }
  if ('arrayOf' in shape) {
    if (!Array.isArray(value)) return mismatch(value, shape, where);
    return value.map((v) => decode(v, shape.arrayOf, where));
  }
  if (typeof value !== 'object' || Array.isArray(value)) return mismatch(value, shape, where);
  return decodeObject(value as Record<string, unknown>, shape, where);
}

function decodeObject(input: Record<string, unknown>, shape: { object: string; fields: Record<string, Shape>; omitEmpty?: readonly string[] }, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, sub] of Object.entries(shape.fields)) {
    // An exact key wins; otherwise the first key equal to the field name ignoring case, as encoding/json matches.
    const key = field in input ? field : Object.keys(input).find((k) => k.toLowerCase() === field.toLowerCase());
    const value = decode(key === undefined ? undefined : input[key], sub, `${where}.${field}`);
    if (shape.omitEmpty?.includes(field) && (value === '' || value === 0 || value === undefined)) continue;
    out[field] = value;
  }
  return out;
}

function zero(shape: Shape): unknown {
  if (shape === 'string') return '';
  if (shape === 'bool') return false;
  if (shape === 'uint32') return 0;
  if (typeof shape === 'string' || 'arrayOf' in shape) return null;
  const out: Record<string, unknown> = {};
  for (const [field, sub] of Object.entries(shape.fields)) {
    const v = zero(sub);
    if (shape.omitEmpty?.includes(field) && (v === '' || v === 0)) continue;
    out[field] = v;
  }
  return out;
}

/** Decodes a config.json as dockerd does; a malformed one is `failed to parse config: …`. */
export function decodePluginConfig(data: Buffer | string): PluginConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString());
  } catch (err) {
    throw new SystemError(`failed to parse config: ${goSyntaxError(err)}`);
  }
  try {
    const config = decode(raw, CONFIG, 'PluginConfig') as PluginConfig;
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      const key = Object.keys(raw).find((k) => k.toLowerCase() === 'rootfs');
      const rootfs = key === undefined ? undefined : (raw as Record<string, unknown>)[key];
      if (rootfs !== undefined && rootfs !== null) config.rootfs = decode(rootfs, ROOTFS, 'PluginConfig.rootfs') as PluginConfig['rootfs'] & object;
    }
    return config;
  } catch (err) {
    if (err instanceof DecodeError) throw new SystemError(`failed to parse config: ${err.message}`);
    throw err;
  }
}

function goSyntaxError(err: unknown): string {
  const m = (err as Error).message;
  return /Unexpected end/i.test(m) ? 'unexpected end of JSON input' : `invalid character in config.json (${m})`;
}

/** The capabilities a plugin's interface types offer (`volumedriver`, `networkdriver`, `authz`, …). */
export function capabilities(config: PluginConfig): string[] {
  return (config.Interface.Types ?? []).map((t) => parseInterfaceType(t).capability);
}
