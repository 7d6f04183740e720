/** grpc-js handler adapters: an async function becomes a unary handler whose errors become gRPC statuses. */
import type { handleUnaryCall, ServerErrorResponse, ServerUnaryCall, status as GrpcStatus } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { errorMessage } from '../base/errors.js';
import { codec } from './codec.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';

/** berthd's error kinds (base/errors) as gRPC codes. */
export function grpcCode(err: unknown): number {
  if (err instanceof GrpcError) return err.code;
  switch ((err as { kind?: string }).kind) {
    case 'InvalidArgument':
      return GRPC_STATUS.INVALID_ARGUMENT;
    case 'NotFound':
      return GRPC_STATUS.NOT_FOUND;
    case 'Conflict':
      return GRPC_STATUS.FAILED_PRECONDITION;
    case 'NotImplemented':
      return GRPC_STATUS.UNIMPLEMENTED;
    case 'Unavailable':
      return GRPC_STATUS.UNAVAILABLE;
    default:
      return GRPC_STATUS.UNKNOWN;
  }
}

export function toServiceError(err: unknown): ServerErrorResponse {
  const e = new Error(errorMessage(err)) as ServerErrorResponse;
  e.code = grpcCode(err) as GrpcStatus;
  e.details = errorMessage(err);
  e.metadata = new Metadata();
  if (err instanceof GrpcError && err.details.length) {
    // The whole status with its details, which BuildKit's clients decode into typed errors (errdefs.Source …).
    const status = codec('moby.buildkit.v1.frontend.Status').encode({ code: err.code, message: err.message, details: err.details });
    e.metadata.set('grpc-status-details-bin', status);
  }
  return e;
}

/**
 * Runs `work`, aborting `abort` if the client cancels the call meanwhile (grpc-js may also report a cancel after
 * an answered call's stream closes: that one must not abort the build).
 */
export async function cancellable<T>(call: { on(e: 'cancelled', l: () => void): unknown; off(e: 'cancelled', l: () => void): unknown }, abort: AbortController, work: () => Promise<T>): Promise<T> {
  const onCancel = (): void => abort.abort();
  call.on('cancelled', onCancel);
  try {
    return await work();
  } finally {
    call.off('cancelled', onCancel);
  }
}

export function unary<Req, Res>(fn: (call: ServerUnaryCall<Req, Res>) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(err)),
    );
  };
}
