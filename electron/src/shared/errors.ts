// Errors cross the process boundary as plain data: a stable code the UI can branch on, and the engine's own
// message for the user to read.

export type ErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_implemented'
  | 'engine_down'
  | 'timeout'
  | 'cancelled'
  | 'internal';

export interface ContractError {
  code: ErrorCode;
  message: string;
  /** The engine's HTTP status, when the error came from the engine. */
  status?: number;
  /** What the user can do about it, when the host knows. */
  hint?: string;
}

/** Thrown on the UI side so callers can `catch (e) { if (e instanceof BerthError && e.code === …) }`. */
export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly status?: number;
  readonly hint?: string;

  constructor(err: ContractError) {
    super(err.message);
    this.name = 'BerthError';
    this.code = err.code;
    this.status = err.status;
    this.hint = err.hint;
  }

  toJSON(): ContractError {
    return { code: this.code, message: this.message, status: this.status, hint: this.hint };
  }
}

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'not_found', 'conflict', 'invalid', 'unauthorized', 'forbidden', 'not_implemented', 'engine_down', 'timeout', 'cancelled', 'internal',
]);

/** Node's own errors also have a string `code` (ENOENT…): only our codes make a ContractError. */
export function isContractError(v: unknown): v is ContractError {
  return typeof v === 'object' && v !== null && CODES.has((v as ContractError).code)
    && typeof (v as ContractError).message === 'string';
}
