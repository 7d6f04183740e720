/**
 * `moby.buildkit.v1.frontend.LLBBridge`, the gateway buildx drives a build through while Control.Solve waits:
 * Ping (our caps), Solve with frontend `dockerfile.v0` (runs the Dockerfile executor, answers a ref to the image
 * and its config), and Return (the client hands back the result, or an error, which ends Control.Solve).
 */
import { randomBytes } from 'node:crypto';
import type { ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { serviceDefinition } from './codec.js';
import type { BuildKitDeps } from './deps.js';
import { runDockerfileFrontend } from './frontend.js';
import { GRPC_STATUS, GrpcError, type StatusDetail } from './grpc-frames.js';
import { cancellable, unary } from './handlers.js';
import type { SolveRecord } from './solves.js';

const F = 'moby.buildkit.v1.frontend.';
export const BRIDGE_SERVICE = serviceDefinition('moby.buildkit.v1.frontend.LLBBridge', {
  Ping: { request: `${F}PingRequest`, response: `${F}PongResponse` },
  Solve: { request: `${F}SolveRequest`, response: `${F}SolveResponse` },
  Return: { request: `${F}ReturnRequest`, response: `${F}ReturnResponse` },
});

/** The frontend API caps buildx checks before it uses the modern (return, ref array) protocol. */
const CAPS = [
  'solve.base', 'solve.inlinereturn', 'resolveimage', 'resolveimage.resolvemode', 'readfile', 'return', 'returnmap',
  'readdir', 'statfile', 'reference.output', 'proto.refarray', 'frontend.inputs', 'gateway.solve.metadata', 'frontend.caps',
];

interface BridgeSolveRequest {
  Frontend: string;
  FrontendOpt: Record<string, string>;
  Evaluate: boolean;
}

interface Result {
  ref?: { id: string } | null;
  refs?: { refs: Record<string, { id: string }> } | null;
}

interface ReturnRequest {
  result: Result | null;
  error: { code: number; message: string; details: StatusDetail[] } | null;
}

function buildId(call: ServerUnaryCall<unknown, unknown>): string {
  const id = call.metadata.get('buildkit-controlapi-buildid')[0];
  if (typeof id !== 'string' || !id) throw new GrpcError(GRPC_STATUS.INVALID_ARGUMENT, 'no buildid found in context');
  return id;
}

export function bridgeService(deps: BuildKitDeps): UntypedServiceImplementation {
  return {
    Ping: unary(async () => ({ FrontendAPICaps: CAPS.map((ID) => ({ ID, Enabled: true })), LLBCaps: [] })),
    Solve: unary(async (call: ServerUnaryCall<BridgeSolveRequest, unknown>) => {
      const record = deps.solves.get(buildId(call));
      return cancellable(call, record.abort, () => bridgeSolve(deps, record, call.request));
    }),
    Return: unary(async (call: ServerUnaryCall<ReturnRequest, unknown>) => {
      const record = deps.solves.get(buildId(call));
      const { result, error } = call.request;
      // The client hands our Solve error back with its details (the Dockerfile lines), which Control.Solve passes on.
      if (error && error.code !== 0) record.returned.reject(new GrpcError(error.code, error.message, error.details ?? []));
      else record.returned.resolve({ ref: result?.ref?.id ?? Object.values(result?.refs?.refs ?? {})[0]?.id });
      return {};
    }),
  };
}

async function bridgeSolve(deps: BuildKitDeps, record: SolveRecord, req: BridgeSolveRequest): Promise<unknown> {
  if (req.Frontend !== 'dockerfile.v0') {
    throw new GrpcError(GRPC_STATUS.UNIMPLEMENTED, req.Frontend ? `frontend ${req.Frontend} is not supported by this engine` : 'raw LLB definitions are not supported by this engine');
  }
  const control = await record.control.promise;
  const session = await deps.sessions.get(control.session, 15_000, record.abort.signal);
  const imageId = await runDockerfileFrontend(deps.builds, { session, attrs: req.FrontendOpt, progress: record.progress, signal: record.abort.signal });
  const ref = randomBytes(12).toString('hex');
  record.refs.set(ref, imageId);
  const config = await deps.images.config(imageId);
  return { result: { ref: { id: ref }, metadata: { 'containerimage.config': Buffer.from(JSON.stringify(config)) } } };
}
