/**
 * Protobuf messages of our proto subset (protobufjs reflection over the sources in `proto/`), and grpc-js service
 * definitions built from them, so no generated code is needed.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { CONTROL_PROTO } from './proto/control.js';
import { GATEWAY_PROTO } from './proto/gateway.js';
import { SESSION_PROTOS } from './proto/session.js';

const root = new protobuf.Root();
for (const src of [CONTROL_PROTO, GATEWAY_PROTO, ...SESSION_PROTOS]) protobuf.parse(src, root, { keepCase: true });
root.resolveAll();

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, defaults: true, arrays: true, objects: true, oneofs: true };

/** A message type by its full name (`moby.buildkit.v1.SolveRequest`), with plain-object encode/decode. */
export class MessageCodec<T extends object> {
  private readonly type: protobuf.Type;

  constructor(name: string) {
    this.type = root.lookupType(name);
  }

  encode(value: T | Record<string, unknown>): Buffer {
    return Buffer.from(this.type.encode(this.type.fromObject(value as Record<string, unknown>)).finish());
  }

  decode(bytes: Uint8Array): T {
    return this.type.toObject(this.type.decode(bytes), TO_OBJECT) as T;
  }
}

const codecs = new Map<string, MessageCodec<object>>();

export function codec<T extends object>(name: string): MessageCodec<T> {
  let c = codecs.get(name);
  if (!c) codecs.set(name, (c = new MessageCodec<object>(name)));
  return c as MessageCodec<T>;
}

export interface MethodSpec {
  request: string;
  response: string;
  requestStream?: boolean;
  responseStream?: boolean;
}

/** A grpc-js service definition for `/<service>/<Method>` paths, messages by full name. */
export function serviceDefinition(service: string, methods: Record<string, MethodSpec>): ServiceDefinition {
  const def: Record<string, MethodDefinition<object, object>> = {};
  for (const [name, m] of Object.entries(methods)) {
    const req = codec(m.request);
    const res = codec(m.response);
    def[name] = {
      path: `/${service}/${name}`,
      requestStream: m.requestStream ?? false,
      responseStream: m.responseStream ?? false,
      requestSerialize: (v: object) => req.encode(v),
      requestDeserialize: (b: Buffer) => req.decode(b),
      responseSerialize: (v: object) => res.encode(v),
      responseDeserialize: (b: Buffer) => res.decode(b),
    };
  }
  return def as ServiceDefinition;
}

/** A protobuf Timestamp of a Date (or now). */
export function timestamp(d: Date = new Date()): { seconds: number; nanos: number } {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}
