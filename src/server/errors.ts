// Domain errors that services throw and one middleware turns into JSON responses.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class InputError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(400, 'invalid_input', message, details);
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}

/** No credential at all (not a wrong one): a page answers it with a plain invitation to sign in. */
export class MissingCredentialsError extends UnauthorizedError {}

export class ForbiddenError extends HttpError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}

/** Answered with Retry-After. */
export class TooManyRequestsError extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'rate_limited', message);
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(readonly allowed: readonly string[]) {
    super(405, 'method_not_allowed', `use ${allowed.join(' or ')} here`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}
