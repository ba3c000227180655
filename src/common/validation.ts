import { applyDecorators, ArgumentMetadata, HttpStatus, Injectable, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { getMetadataStorage, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateBy, ValidationOptions } from 'class-validator';
import type { ErrorCode } from './error-codes';
import { AppError } from './errors';

/**
 * Request bodies and queries are DTO classes checked by class-validator through this one pipe
 * (registered for the whole app in `AppModule`). Its answer keeps the API's envelope: one sentence
 * naming the field at fault, under the code the DTO asks for (`@RequestErrorCode` on the class,
 * `@FieldErrorCode` on a field whose failures have a code of their own), else `invalid_body` /
 * `invalid_query`. Handlers that take `Record<string, unknown>` or `unknown` (the LTI protocol
 * routes, the SCORM commit) are not DTOs and pass through untouched.
 */

const CLASS_CODE = Symbol('requestErrorCode');
const FIELD_CODES = Symbol('fieldErrorCodes');

/** The code a DTO's failures are answered with (e.g. `platform_invalid`). */
export function RequestErrorCode(code: ErrorCode): ClassDecorator {
  return (target) => Reflect.defineMetadata(CLASS_CODE, code, target);
}

/** A code of its own for failures of this field (and of the fields nested in it). */
export function FieldErrorCode(code: ErrorCode): PropertyDecorator {
  return (target, property) => {
    const codes = { ...((Reflect.getMetadata(FIELD_CODES, target.constructor) as Record<string, ErrorCode> | undefined) ?? {}), [String(property)]: code };
    Reflect.defineMetadata(FIELD_CODES, codes, target.constructor);
  };
}

/** What the pipe's own exception factory throws, turned into the envelope once the DTO is known. */
class RequestInvalid extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('request invalid');
  }
}

function pipeOptions(forbidUnknownFields: boolean): ValidationPipeOptions {
  return {
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: forbidUnknownFields,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    // the target names the class of a nested object, so an unknown field can list the known ones
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => new RequestInvalid(errors),
  };
}

@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  /** Unknown query parameters (cache busters, tracking) are dropped; an unknown body field is refused. */
  private readonly queries = new ValidationPipe(pipeOptions(false));

  constructor() {
    super(pipeOptions(true));
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    const isDto = metatype !== undefined && this.toValidate(metadata);
    if (isDto && metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new AppError(codeOf(metatype, metadata, undefined), `Send a JSON object with ${fieldList(metatype)}.`);
    }
    try {
      const checked = metadata.type === 'query' ? this.queries.transform(value, metadata) : super.transform(value, metadata);
      return withoutUnsetFields(await checked);
    } catch (e) {
      if (!(e instanceof RequestInvalid) || !metatype) {
        throw e;
      }
      const { path, message } = firstFailure(e.errors);
      throw new AppError(codeOf(metatype, metadata, path[0]), message, HttpStatus.BAD_REQUEST);
    }
  }
}

/**
 * Checks a value built in code (not from a request) against a DTO class, with the same rules and
 * answer as the pipe: e.g. a platform registration read from an LMS through Dynamic Registration.
 */
export async function validated<T extends object>(dto: new () => T, value: object): Promise<T> {
  return (await new RequestValidationPipe().transform(value, { type: 'body', metatype: dto })) as T;
}

/**
 * Class fields are defined on every instance (ES2022 class fields), so a DTO built from `{ name }`
 * also carries `issuer: undefined`, …: those are dropped (in nested DTOs too), so a PATCH changes
 * only what was sent and a spread of a DTO does not overwrite stored values with `undefined`.
 */
function withoutUnsetFields(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) {
        delete (value as Record<string, unknown>)[key];
      } else {
        withoutUnsetFields(v);
      }
    }
  }
  return value;
}

function codeOf(metatype: object, metadata: ArgumentMetadata, field: string | undefined): ErrorCode {
  const fieldCodes = Reflect.getMetadata(FIELD_CODES, metatype) as Record<string, ErrorCode> | undefined;
  return (
    (field !== undefined ? fieldCodes?.[field] : undefined) ??
    (Reflect.getMetadata(CLASS_CODE, metatype) as ErrorCode | undefined) ??
    (metadata.type === 'query' ? 'invalid_query' : 'invalid_body')
  );
}

/** The first failure, depth first, as its dotted path and one sentence starting with that path. */
function firstFailure(errors: ValidationError[], parent: string[] = []): { path: string[]; message: string } {
  const error = errors[0];
  const path = [...parent, error.property];
  if (!error.constraints && error.children?.length) {
    return firstFailure(error.children, path);
  }
  const [kind, text] = Object.entries(error.constraints ?? {})[0] ?? ['', `${error.property} is not valid`];
  const owner = error.target?.constructor;
  if (kind === 'whitelistValidation') {
    const where = parent.length ? parent.join('.') : 'The request';
    return { path, message: `${where} has no field "${error.property}"; the fields are ${owner ? fieldList(owner) : 'listed in /api/docs'}.` };
  }
  // class-validator's messages start with the field's own name: the full path says which one
  const message = text.startsWith(error.property) ? path.join('.') + text.slice(error.property.length) : text;
  return { path, message: /[.!?]$/.test(message) ? message : `${message}.` };
}

function fieldList(metatype: object): string {
  const names = new Set(getMetadataStorage().getTargetValidationMetadatas(metatype as new () => object, '', true, false).map((m) => m.propertyName));
  return [...names].map((n) => `"${n}"`).join(', ');
}

/** For `@Transform`: a string without its surrounding white space; anything else as it came. */
export function trimValue({ value }: { value: unknown }): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

/** A non-empty text of at most `max` characters, trimmed before it is checked. */
export function Text(max: number): PropertyDecorator {
  const message = `$property must be a non-empty string of at most ${max} characters`;
  return applyDecorators(Transform(trimValue), IsString({ message }), IsNotEmpty({ message }), MaxLength(max, { message }));
}

/** An optional text of at most `max` characters, trimmed; `null` or an empty string clear it (stored as null). */
export function OptionalText(max: number): PropertyDecorator {
  const message = `$property must be a string of at most ${max} characters, or null`;
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? null : trimValue({ value }))),
    IsOptional(),
    IsString({ message }),
    MaxLength(max, { message }),
  );
}

/** An absolute http(s) URL as `new URL` reads it (the same parser that later fetches it). */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isHttpUrl(value),
        defaultMessage: () => '$property must be an absolute http(s) URL',
      },
    },
    options,
  );
}

export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
