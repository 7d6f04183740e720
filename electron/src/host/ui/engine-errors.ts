// Maps what dockerode throws (HTTP errors carrying the engine's {"message"}, or socket errors) to a ContractError
// the UI can show as is.
import type { ContractError, ErrorCode } from '../../shared/errors.js';
import { isContractError } from '../../shared/errors.js';

interface DockerodeError {
  statusCode?: number;
  json?: unknown;
  reason?: string;
  code?: string;
  message?: string;
}

const byStatus: Record<number, ErrorCode> = {
  400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 501: 'not_implemented',
};

function engineMessage(e: DockerodeError): string | undefined {
  const j = e.json;
  if (j && typeof j === 'object' && typeof (j as { message?: unknown }).message === 'string') return (j as { message: string }).message;
  if (typeof j === 'string' && j.trim()) return j.trim();
  if (Buffer.isBuffer(j) && j.length) {
    try {
      const parsed = JSON.parse(j.toString('utf8')) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      return j.toString('utf8').trim();
    }
  }
  return undefined;
}

/** `what` names the engine call, so "this engine does not serve X yet" can say which. */
export function toContractError(err: unknown, what?: string): ContractError {
  if (isContractError(err)) return err;
  const e = (err ?? {}) as DockerodeError;
  if (typeof e.statusCode === 'number') {
    const message = engineMessage(e) ?? e.reason ?? `engine answered HTTP ${e.statusCode}`;
    // dockerd (and berthd) answer an unknown route with 404 "page not found": that is a missing feature.
    if ((e.statusCode === 404 && message === 'page not found') || e.statusCode === 501) {
      return {
        code: 'not_implemented',
        status: e.statusCode,
        message: `This engine does not support ${what ?? 'this operation'} yet (${message}).`,
        hint: 'Update Berth, or point the dashboard at an engine that serves this endpoint.',
      };
    }
    return { code: byStatus[e.statusCode] ?? 'internal', status: e.statusCode, message };
  }
  // docker-modem does not always keep the socket error's code; its message still starts with it.
  const code = e.code ?? (e as { cause?: { code?: string } }).cause?.code ?? /\b(ENOENT|ECONNREFUSED|ECONNRESET|EPIPE|EACCES|ETIMEDOUT)\b/.exec(e.message ?? '')?.[1];
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE') {
    return {
      code: 'engine_down',
      message: `Cannot reach the engine (${code}).`,
      hint: 'Start the engine (scripts/start.sh, or the tray menu), then try again.',
    };
  }
  if (code === 'EACCES') {
    return { code: 'forbidden', message: 'Permission denied on the engine socket.', hint: 'Run the dashboard as a user that can open the socket.' };
  }
  if (code === 'ETIMEDOUT') return { code: 'timeout', message: e.message ?? 'The engine did not answer in time.' };
  return { code: 'internal', message: e.message ?? String(err) };
}
