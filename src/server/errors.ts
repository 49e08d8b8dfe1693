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
