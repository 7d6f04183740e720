/**
 * A build error's Dockerfile lines as BuildKit sends them: an `errdefs.Source` detail on the error's status, from
 * which buildx prints the excerpt (`Dockerfile:2`, the lines around it, `>>>` at the failing ones) above
 * `ERROR: failed to solve: …`. The type is registered under a `+json` URL; how its bytes are read depends on the
 * client's build (buildx as Debian builds it reads JSON, as observed with its own stack details; builds whose
 * typeurl knows BuildKit's generated messages read protobuf), so the detail is sent in both encodings: each client
 * decodes one and skips the one it cannot read.
 */
import type { SourceLines } from '../build/error-source.js';
import { codec } from './codec.js';
import type { StatusDetail } from './grpc-frames.js';

export const SOURCE_TYPE_URL = 'github.com/moby/buildkit/errdefs.Source+json';

export function sourceDetails(filename: string, dockerfile: string, lines: SourceLines): StatusDetail[] {
  const source = {
    info: { filename, data: Buffer.from(dockerfile), language: 'Dockerfile' },
    ranges: [{ start: { line: lines.start }, end: { line: lines.end } }],
  };
  // Go's encoding/json of the generated struct: []byte as base64, zero numbers left out.
  const json = JSON.stringify({ ...source, info: { ...source.info, data: source.info.data.toString('base64') } });
  return [
    { type_url: SOURCE_TYPE_URL, value: Buffer.from(json) },
    { type_url: SOURCE_TYPE_URL, value: codec('moby.buildkit.v1.frontend.ErrorSource').encode(source) },
  ];
}
