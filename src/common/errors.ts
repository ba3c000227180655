import { HttpStatus } from '@nestjs/common';

/**
 * An expected failure with a stable snake_case code (DESIGN §3), an HTTP status and a log level:
 * an expected rejection logs at warn, a real bug at error (Vendure's error classes).
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = HttpStatus.BAD_REQUEST,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(`${what.toLowerCase().replace(/\s+/g, '_')}_not_found`, `No ${what} with id "${id}" exists.`, HttpStatus.NOT_FOUND);
  }
}

/** A package that cannot be imported; `code` names the reason (422 unless said otherwise). */
export class PackageError extends AppError {
  constructor(code: string, message: string, status: number = HttpStatus.UNPROCESSABLE_ENTITY) {
    super(code, message, status);
  }
}
