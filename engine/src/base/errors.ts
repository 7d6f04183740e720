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

/** The message of anything thrown, for logs and in-band stream errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
