// Errors as data across every boundary (IPC, HTTP, worker): a Result and the error codes.

export type ErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'conflict'
  | 'unsupported'
  | 'io'
  | 'busy'
  | 'cancelled'
  | 'unauthorized'
  | 'internal';

export interface ApiErrorData {
  code: ErrorCode;
  /** What went wrong and what to do about it, for a person. */
  message: string;
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiErrorData };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, details?: unknown): Result<never> => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

/** An error that carries a code; thrown in the core, turned into data at the boundary. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Turns anything thrown into error data; unknown errors become `internal`. */
export function toErrorData(e: unknown): ApiErrorData {
  if (e instanceof AppError)
    return e.details === undefined
      ? { code: e.code, message: e.message }
      : { code: e.code, message: e.message, details: e.details };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message };
}
