/**
 * Domain errors carry an HTTP-ish status and a stable code so every face (REST, socket.io,
 * workers) can report them the same way. Messages say what is wrong and what to do.
 */
export class DuetError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Machine-readable fields the API answer carries beside `error` and `message`. */
  extra(): Record<string, unknown> {
    return {};
  }
}

export class InvalidInput extends DuetError {
  constructor(message: string, issues?: { path: string; message: string }[]) {
    super(400, 'invalid_input', message, issues);
  }
}
export class Unauthenticated extends DuetError {
  constructor(message = 'Log in first: this needs a valid session.') {
    super(401, 'unauthenticated', message);
  }
}
export class Forbidden extends DuetError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}
export class NotFound extends DuetError {
  constructor(what: string) {
    super(404, 'not_found', `${what} was not found.`);
  }
}
export class Conflict extends DuetError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}
export class TooManyRequests extends DuetError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'too_many_requests', message);
  }
}
