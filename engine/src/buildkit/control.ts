/**
 * `moby.buildkit.v1.Control`: the worker list and version buildx shows, and a build's Solve (which waits for the
 * client to drive the Dockerfile frontend through the LLB bridge, or runs it itself when the request names
 * `dockerfile.v0`), then exports the image; Status streams the build's progress.
 */
import type { ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { hostPlatform } from '../images/platform.js';
import { ENGINE_VERSION } from '../base/version.js';
import { diskUsage, prune } from './cache.js';
import { checkExporters, exportImage, isImageExporter, type ExporterSpec } from './exporter.js';
import { exportToClient } from './outputs.js';
import { runDockerfileFrontend } from './frontend.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';
import { serviceDefinition } from './codec.js';
import type { BuildKitDeps } from './deps.js';
import { cancellable, unary } from './handlers.js';
import type { SolveRecord } from './solves.js';

export const BUILDKIT_VERSION = { package: 'github.com/berth/berthd', version: `v${ENGINE_VERSION}-berth`, revision: '' };

const M = 'moby.buildkit.v1.';
export const CONTROL_SERVICE = serviceDefinition('moby.buildkit.v1.Control', {
  ListWorkers: { request: `${M}ListWorkersRequest`, response: `${M}ListWorkersResponse` },
  Info: { request: `${M}InfoRequest`, response: `${M}InfoResponse` },
  Solve: { request: `${M}SolveRequest`, response: `${M}SolveResponse` },
  Status: { request: `${M}StatusRequest`, response: `${M}StatusResponse`, responseStream: true },
  DiskUsage: { request: `${M}DiskUsageRequest`, response: `${M}DiskUsageResponse` },
  Prune: { request: `${M}PruneRequest`, response: `${M}UsageRecord`, responseStream: true },
});

interface SolveRequest {
  Ref: string;
  ExporterDeprecated: string;
  ExporterAttrsDeprecated: Record<string, string>;
  Session: string;
  Frontend: string;
  FrontendAttrs: Record<string, string>;
  Entitlements: string[];
  Internal: boolean;
  Exporters: ExporterSpec[];
}

export function workerRecord(deps: BuildKitDeps): Record<string, unknown> {
  const p = hostPlatform();
  const labels: Record<string, string> = {
    'org.mobyproject.buildkit.worker.executor': 'oci',
    'org.mobyproject.buildkit.worker.hostname': deps.hostname,
    'org.mobyproject.buildkit.worker.moby.host-gateway-ip': deps.hostGatewayIp(),
    'org.mobyproject.buildkit.worker.network': 'host',
  };
  return {
    ID: deps.workerId,
    Labels: labels,
    platforms: [{ Architecture: p.architecture, OS: p.os, Variant: p.variant ?? '' }],
    BuildkitVersion: BUILDKIT_VERSION,
  };
}

export function controlService(deps: BuildKitDeps): UntypedServiceImplementation {
  return {
    ListWorkers: unary(async () => ({ record: [workerRecord(deps)] })),
    Info: unary(async () => ({ buildkitVersion: BUILDKIT_VERSION })),
    DiskUsage: unary((call) => diskUsage(deps, call)),
    Prune: (call: ServerWritableStream<Parameters<typeof prune>[1]['request'], unknown>) => prune(deps, call),
    Solve: unary(async (call: ServerUnaryCall<SolveRequest, unknown>) => solve(deps, call)),
    Status: (call: ServerWritableStream<{ Ref: string }, unknown>) => {
      const record = deps.solves.get(call.request.Ref);
      const stop = record.progress.subscribe((m) => {
        if (m) call.write(m);
        else call.end();
      });
      call.on('cancelled', stop);
      call.on('error', stop);
    },
  };
}

async function solve(deps: BuildKitDeps, call: ServerUnaryCall<SolveRequest, unknown>): Promise<unknown> {
  const req = call.request;
  if (!req.Ref) throw new GrpcError(GRPC_STATUS.INVALID_ARGUMENT, 'solve: missing ref');
  const record = deps.solves.get(req.Ref);
  return cancellable(call, record.abort, () => solveRecord(deps, record, req));
}

async function solveRecord(deps: BuildKitDeps, record: SolveRecord, req: SolveRequest): Promise<unknown> {
  const exporters = req.Exporters.length ? req.Exporters : req.ExporterDeprecated ? [{ Type: req.ExporterDeprecated, Attrs: req.ExporterAttrsDeprecated }] : [];
  try {
    checkExporters(exporters);
    record.control.resolve({ session: req.Session, frontend: req.Frontend, attrs: req.FrontendAttrs, internal: req.Internal, entitlements: req.Entitlements });
    let imageId: string | undefined;
    if (req.Frontend) {
      if (req.Frontend !== 'dockerfile.v0') throw new GrpcError(GRPC_STATUS.UNIMPLEMENTED, `frontend ${req.Frontend} is not supported by this engine`);
      const session = await deps.sessions.get(req.Session, 15_000, record.abort.signal);
      imageId = await runDockerfileFrontend(deps.builds, { session, attrs: req.FrontendAttrs, progress: record.progress, signal: record.abort.signal });
    } else {
      const returned = await record.returned.promise;
      imageId = returned.ref ? record.refs.get(returned.ref) : undefined;
    }
    if (req.Internal || !imageId || exporters.length === 0) return { ExporterResponse: {} };
    return { ExporterResponse: await runExporters(deps, record, req.Session, imageId, exporters) };
  } finally {
    deps.solves.finish(record);
  }
}

/** The image exporters name the image in berthd's store; `local` and `tar` send its filesystem to the client. */
async function runExporters(deps: BuildKitDeps, record: SolveRecord, sessionId: string, imageId: string, exporters: ExporterSpec[]): Promise<Record<string, string>> {
  const images = exporters.filter(isImageExporter);
  const response = images.length ? await exportImage(deps.images, imageId, images, record.progress) : {};
  for (const [index, e] of exporters.entries()) {
    if (e.Type !== 'local' && e.Type !== 'tar') continue;
    const session = await deps.sessions.get(sessionId, 5_000, record.abort.signal);
    await exportToClient(deps.builds, imageId, { type: e.Type, index, session, progress: record.progress, signal: record.abort.signal });
  }
  return response;
}
