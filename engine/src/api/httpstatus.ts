import { isEngineError, type ErrorKind } from '../base/errors.js';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  InvalidArgument: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  NotModified: 304,
  NotImplemented: 501,
  Unavailable: 503,
  System: 500,
};

/** The one mapping from engine errors to HTTP status codes (moby's httpstatus). Anything unknown is a 500. */
export function statusFromError(err: unknown): number {
  if (isEngineError(err)) return STATUS_BY_KIND[err.kind];
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 500;
}
