/**
 * Generates `engine/src/api/validate/bodies.gen.ts` from the Docker Engine API swagger: the JSON request bodies berthd
 * decodes (container create and commit, exec create and start, container update, network create, connect and
 * disconnect, volume create, auth) as Go's encoding/json would see them, so the engine can
 * refuse a wrong type at the door with dockerd's decode error instead of storing it. Run after changing the swagger
 * version: `npx tsc -b scripts && node scripts/dist/gen/engine-api-schema.js <swagger.yaml>`.
 *
 * Kept from the swagger: property names, types, integer widths (`format`), array items, map values, nested
 * definitions. Dropped: enums, minimum/maximum, patterns (dockerd checks those after decoding, with its own words).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../testrig/paths.js';

interface Swagger {
  type?: string;
  format?: string;
  properties?: Record<string, Swagger>;
  items?: Swagger;
  additionalProperties?: Swagger | boolean;
  allOf?: Swagger[];
  $ref?: string;
}

/** engine/src/api/validate/go-node.ts's GoNode (scripts cannot import engine sources). */
type GoNode =
  | { k: 'string' | 'bool' | 'float64' | 'any' | 'strslice'; go: string }
  | { k: 'int'; go: string }
  | { k: 'array'; go: string; of: GoNode }
  | { k: 'map'; go: string; of: GoNode }
  | { k: 'struct'; go: string; name: string; fields: Record<string, GoNode> };

/** Go package of a definition's type (for `of type container.RestartPolicy`); container unless listed. */
const PACKAGE: Record<string, string> = {
  EndpointSettings: 'network', EndpointIPAMConfig: 'network', Mount: 'mount', ThrottleDevice: 'blkiodev', DeviceMapping: 'container', NetworkingConfig: 'network',
  IPAM: 'network', IPAMConfig: 'network', ConfigReference: 'network', VolumeCreateOptions: 'volume', ClusterVolumeSpec: 'volume', AuthConfig: 'registry',
};
/** Go's names where they differ from the swagger's. */
const GO_NAME: Record<string, string> = { ContainerConfig: 'Config', HealthConfig: 'HealthConfig', VolumeCreateOptions: 'CreateOptions' };
/** Fields the Go type has and the swagger leaves out (AuthConfig's token and encoded-credential fields). */
const GO_EXTRA_FIELDS: Record<string, Record<string, GoNode>> = {
  'registry.AuthConfig': { auth: { k: 'string', go: 'string' }, identitytoken: { k: 'string', go: 'string' }, registrytoken: { k: 'string', go: 'string' } },
};
/** Array fields whose Go type has a fixed length (`*[2]uint`: the console's height and width). */
const GO_ARRAY: Record<string, string> = { ConsoleSize: '[2]uint' };
/** Integer fields whose Go width the swagger leaves out (it says `integer` with a min/max or nothing). */
const GO_INT: Record<string, string> = {
  BlkioWeight: 'uint16', Weight: 'uint16', Rate: 'uint64', IOMaximumIOps: 'uint64', IOMaximumBandwidth: 'uint64', ConsoleSize: 'uint',
};
/** Fields of container.Config whose Go type is strslice.StrSlice: a string or an array of strings. */
const STRSLICE = new Set(['Cmd', 'Entrypoint', 'Shell']);

const file = process.argv[2] ?? '/work/shared/specs/docker-engine-api/swagger-v1.51.yaml';
const doc = parse(readFileSync(file, 'utf8')) as { definitions: Record<string, Swagger>; paths: Record<string, Record<string, { parameters?: Array<{ in: string; schema?: Swagger }> }>> };

function deref(s: Swagger): [Swagger, string | undefined] {
  if (!s.$ref) return [s, undefined];
  const name = s.$ref.replace('#/definitions/', '');
  const def = doc.definitions[name];
  if (!def) throw new Error(`missing definition ${name}`);
  return [def, name];
}

function merged(s: Swagger): Swagger {
  const [d] = deref(s);
  if (!d.allOf) return d;
  const parts = d.allOf.map(merged);
  // An allOf that only wraps a scalar definition (Mount.Type → MountType, a string enum) is that scalar.
  if (parts.every((p) => !p.properties)) return parts[0] ?? d;
  const props: Record<string, Swagger> = {};
  for (const part of parts) Object.assign(props, part.properties ?? {});
  return { type: 'object', properties: props };
}

function intType(format: string | undefined): string {
  return format && /^u?int(8|16|32|64)$/.test(format) ? format : 'int';
}

/**
 * The GoNode of a swagger schema. `pkg` is the enclosing struct's Go package: an inline struct (no definition of its
 * own) is a type of the same package, as Mount's BindOptions is mount.BindOptions.
 */
function node(s: Swagger, field: string, structName: string, pkg = 'container'): GoNode {
  const [d, refName] = deref(s);
  if (STRSLICE.has(field) && (structName === 'CreateRequest' || structName === 'Config')) return { k: 'strslice', go: 'strslice.StrSlice' };
  const m = merged(d);
  if (m.properties) {
    const name = refName ? (GO_NAME[refName] ?? refName) : field || structName;
    const fields: Record<string, GoNode> = {};
    const own = refName ? (PACKAGE[refName] ?? 'container') : pkg;
    for (const [k, v] of Object.entries(m.properties)) fields[k] = node(v, k, name, own);
    return { k: 'struct', go: `${own}.${name}`, name, fields };
  }
  switch (m.type) {
    case 'string':
      return { k: 'string', go: 'string' };
    case 'boolean':
      return { k: 'bool', go: 'bool' };
    case 'integer':
      return { k: 'int', go: GO_INT[field] ?? intType(m.format) };
    case 'number':
      return { k: 'float64', go: 'float64' };
    case 'array': {
      // An inline element struct is named after its field (Ulimits → Ulimit), as the Go types are.
      const of = m.items ? node(m.items, field.replace(/s$/, ''), structName, pkg) : ({ k: 'any', go: 'interface {}' } as GoNode);
      return { k: 'array', go: GO_ARRAY[field] ?? `[]${of.go}`, of };
    }
    case 'object': {
      if (m.additionalProperties && typeof m.additionalProperties === 'object') {
        const of = node(m.additionalProperties, field, structName, pkg);
        return { k: 'map', go: `map[string]${of.go}`, of };
      }
      return { k: 'any', go: 'interface {}' };
    }
    default:
      return { k: 'any', go: 'interface {}' };
  }
}

function bodyOf(p: string, verb: string): Swagger {
  const schema = doc.paths[p]?.[verb]?.parameters?.find((x) => x.in === 'body')?.schema;
  if (!schema) throw new Error(`no body for ${verb} ${p}`);
  return schema;
}

/** A body as the Go type dockerd's handler decodes it into (`network.ConnectOptions`), whatever the swagger calls it. */
function body(p: string, verb: string, goType: string): GoNode {
  const [pkg = 'container', name = goType] = goType.split('.');
  const n = node(bodyOf(p, verb), '', name, pkg);
  return n.k === 'struct' ? { ...n, go: goType, name, fields: { ...n.fields, ...GO_EXTRA_FIELDS[goType] } } : n;
}

const out = {
  source: path.basename(file),
  bodies: {
    // Commit decodes its body as container create does (runconfig's DecodeConfig), so its errors name CreateRequest.
    containerCreate: body('/containers/create', 'post', 'container.CreateRequest'),
    execCreate: body('/containers/{id}/exec', 'post', 'container.ExecOptions'),
    execStart: body('/exec/{id}/start', 'post', 'container.ExecStartOptions'),
    containerUpdate: body('/containers/{id}/update', 'post', 'container.UpdateConfig'),
    networkCreate: body('/networks/create', 'post', 'network.CreateRequest'),
    networkConnect: body('/networks/{id}/connect', 'post', 'network.ConnectOptions'),
    networkDisconnect: body('/networks/{id}/disconnect', 'post', 'network.DisconnectOptions'),
    volumeCreate: body('/volumes/create', 'post', 'volume.CreateOptions'),
    authConfig: body('/auth', 'post', 'registry.AuthConfig'),
  },
};
const target = path.join(repoRoot, 'engine', 'src', 'api', 'validate', 'bodies.gen.ts');
const text = [
  `// Generated by scripts/src/gen/engine-api-schema.ts from ${out.source}: do not edit.`,
  `import type { GoNode } from './go-node.js';`,
  '',
  ...Object.entries(out.bodies).map(([name, n]) => `export const ${name}: GoNode = ${JSON.stringify(n)};\n`),
].join('\n');
writeFileSync(target, text);
console.log(`wrote ${target}`);
