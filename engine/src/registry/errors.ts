/** Registry HTTP failures turned into engine errors with the texts dockerd prints. */
import type { EngineError} from '../base/errors.js';
import { NotFound, SystemError, Unauthorized, Unavailable } from '../base/errors.js';

interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
}

/** `manifest unknown: manifest unknown`: distribution's errcode rendering, code lower-cased with spaces. */
export function describeRegistryErrors(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as RegistryErrorBody;
    const errs = parsed.errors ?? [];
    if (errs.length === 0) return undefined;
    return errs
      .map((e) => `${(e.code ?? 'unknown').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`.replace(/: $/, ''))
      .join(', ');
  } catch {
    return undefined;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function unexpectedStatus(status: number, body: Buffer): EngineError {
  const described = describeRegistryErrors(body);
  const text = described ?? `received unexpected HTTP status: ${status} ${STATUS_TEXT[status] ?? ''}`.trim();
  if (status === 401 || status === 403) return new Unauthorized(text);
  if (status === 404) return new NotFound(text);
  if (status === 429) return new Unavailable(described ?? 'toomanyrequests: too many requests to the registry');
  return new SystemError(text);
}

/** dockerd's wording when a pull is refused: the CLI's users know this sentence. */
export function pullAccessDenied(familiar: string, cause: EngineError): EngineError {
  return new NotFound(
    `pull access denied for ${familiar}, repository does not exist or may require 'docker login': ${cause.message}`,
    { cause },
  );
}

export function manifestNotFound(refString: string, cause: EngineError): EngineError {
  return new NotFound(`manifest for ${refString} not found: ${cause.message}`, { cause });
}
