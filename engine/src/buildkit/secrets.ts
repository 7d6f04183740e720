/** `--secret` values, asked of the client's session (`moby.buildkit.secrets.v1.Secrets/GetSecret`) when a step mounts one. */
import { codec } from './codec.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';
import type { ClientSession } from './session-client.js';

const GET_SECRET = '/moby.buildkit.secrets.v1.Secrets/GetSecret';

/** The secret's bytes, or undefined when the client has no secret of that id. */
export async function getSecret(session: ClientSession, id: string): Promise<Buffer | undefined> {
  if (!session.supports(GET_SECRET)) return undefined;
  try {
    const reply = await session.unary(GET_SECRET, codec('moby.buildkit.secrets.v1.GetSecretRequest').encode({ ID: id }));
    return Buffer.from(codec<{ data: Buffer }>('moby.buildkit.secrets.v1.GetSecretResponse').decode(reply).data);
  } catch (err) {
    if (err instanceof GrpcError && err.code === GRPC_STATUS.NOT_FOUND) return undefined;
    throw err;
  }
}
