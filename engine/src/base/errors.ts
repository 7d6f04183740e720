/**
 * The engine's error classes. Every layer throws these; `api/httpstatus.ts` is the one place that maps them to
 * HTTP status codes, so a message written here is exactly what the docker CLI prints after "Error response from
 * daemon: ".
 */
export type ErrorKind =
  | 'InvalidArgument'
  | 'NotFound'
  | 'Conflict'
  | 'Forbidden'
  | 'Unauthorized'
  | 'NotModified'
  | 'NotImplemented'
  | 'Unavailable'
  | 'System';

export class EngineError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = `${kind}Error`;
  }
}

/** 400: the request is malformed or names something invalid. */
export class InvalidArgument extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidArgument', message, options);
  }
}

/** 404: `No such container: x`, `No such image: x:tag`, ... */
export class NotFound extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options);
  }
}

/** 409: name in use, container running, image in use. */
export class Conflict extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Conflict', message, options);
  }
}

/** 403: the operation is not allowed on this object (e.g. removing a predefined network). */
export class Forbidden extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Forbidden', message, options);
  }
}

/** 401: a registry refused our credentials. */
export class Unauthorized extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unauthorized', message, options);
  }
}

/** 304: start of a started container, stop of a stopped one. */
export class NotModified extends EngineError {
  constructor(message = 'not modified') {
    super('NotModified', message);
  }
}

/** 501: a feature the engine does not implement. */
export class NotImplemented extends EngineError {
  constructor(message: string) {
    super('NotImplemented', message);
  }
}

/** 503: a dependency (registry, runtime, swarm) is not available right now. */
export class Unavailable extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unavailable', message, options);
  }
}

/** 500: something failed inside the engine. */
export class SystemError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('System', message, options);
  }
}

export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}

export function isErrorKind(err: unknown, kind: ErrorKind): boolean {
  return err instanceof EngineError && err.kind === kind;
}

/** A write that failed because the disk (or the user's quota on it) is full, wherever it was wrapped. */
export function isNoSpace(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  }
  return false;
}

export const NO_SPACE_HINT = "the engine's disk is full: free space with `docker system prune` (add -a for unused images, --volumes for volumes) or give the engine a larger disk";

/**
 * Node's text for a full disk (`ENOSPC: no space left on device, write`) in the shape dockerd gives it (Go's
 * `write /path: no space left on device`), followed by what to do about it.
 */
function noSpaceMessage(err: NodeJS.ErrnoException): string {
  const text = err.code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on device';
  const op = [err.syscall, err.path].filter(Boolean).join(' ');
  return `${op ? `${op}: ` : ''}${text} (${NO_SPACE_HINT})`;
}

/** The message of anything thrown, for logs and in-band stream errors. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error && !isEngineError(err) && isNoSpace(err)) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return noSpaceMessage(err as NodeJS.ErrnoException);
  }
  return err instanceof Error ? err.message : String(err);
}
