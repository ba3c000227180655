import { HttpStatus, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../common/errors';
import { answerError } from '../common/exception.filter';
import { BODY_LIMITS, parseForm, plainBodyType, readBody } from '../common/request-body';
import { RequestLogger } from '../logging/request-logger';
import type { CommitInput, CommitOutcome } from './commit-plan';
import { GroupCommitService } from './group-commit.service';
import { RuntimeTokenService } from './runtime-token.service';

/** The commit route as the player calls it: `/runtime/attempts/<attemptId>/scos/<itemId>/commit`, a query string allowed. */
const COMMIT_PATH = /^\/runtime\/attempts\/([^/?#]+)\/scos\/([^/?#]+)\/commit(?:\?|$)/;

/**
 * Reads a commit body in whatever content type arrived: JSON, text/plain holding JSON (sendBeacon),
 * or a form with a `payload` field (player/README.md: the terminate commit must not be lost to a content type).
 * `body` is what a body parser made of it: the JSON text or the parsed object, the form's fields.
 */
export function parseCommitBody(body: unknown): { input: CommitInput; token?: string } {
  let value: unknown = body;
  if (typeof value === 'string') {
    value = safeJson(value);
  } else if (value && typeof value === 'object' && typeof (value as Record<string, unknown>).payload === 'string' && !(value as Record<string, unknown>).cmi) {
    value = safeJson((value as Record<string, string>).payload);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('commit_invalid', 'The commit body is not a JSON object.');
  }
  const { token, ...rest } = value as Record<string, unknown>;
  return { input: rest as unknown as CommitInput, token: typeof token === 'string' ? token : undefined };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('commit_invalid', 'The commit body is not valid JSON.');
  }
}

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

/** The commit's answer, in scorm-again's result shape (`{ result: true, errorCode: 0, applied, reason? }`), never kept by a cache. */
export function writeOutcome(res: ServerResponse, outcome: CommitOutcome): void {
  const json = JSON.stringify(outcome);
  res.writeHead(HttpStatus.OK, { 'Cache-Control': 'no-store', 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

/**
 * The runtime commit, the hottest route (docs/architecture.md, "The commit route"). Two entry points
 * share every rule here: `handle`, the content listener's first stop (src/server.ts), answers a commit
 * sent as the player sends it without Express or Nest — one bounded read of the body, the token, the
 * group commit, the answer — and the Nest `RuntimeController` gets whatever `handle` passes on (another
 * content type or charset, a compressed body, a path Express's router also matches, such as one with a
 * trailing slash), read by the app's body parsers. Errors go to the one exception filter's
 * `answerError` either way, and both go through the request logger (request id, request line).
 */
@Injectable()
export class RuntimeCommits {
  constructor(
    private readonly commits: GroupCommitService,
    private readonly tokens: RuntimeTokenService,
    private readonly requests: RequestLogger,
  ) {}

  /** One commit from its request: the body as read (text, or what a body parser made of it), the token from `Authorization` or the body. */
  async commit(attemptId: string, itemId: string, authorization: string | undefined, body: unknown): Promise<CommitOutcome> {
    const { input, token } = parseCommitBody(body);
    const claims = await this.tokens.verify(bearer(authorization) ?? token);
    return this.commits.commit(claims, attemptId, itemId, input);
  }

  /** The lean path: a POST to the commit route in a content type it reads itself is answered here; anything else goes to `next` untouched. */
  readonly handle = (req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void): void => {
    const m = req.method === 'POST' ? COMMIT_PATH.exec(req.url ?? '') : null;
    const type = m ? plainBodyType(req) : undefined;
    const ids = m && type ? decodedIds(m[1], m[2]) : undefined;
    if (!ids || !type) {
      next(req, res);
      return;
    }
    this.requests.handle(req, res, () => {
      readBody(req, BODY_LIMITS[type])
        .then((text) => this.commit(ids.attemptId, ids.itemId, req.headers.authorization, type === 'urlencoded' ? parseForm(text) : text))
        .then(
          (outcome) => writeOutcome(res, outcome),
          (err: unknown) => answerError(err, req, res),
        );
    });
  };
}

/** The route's parameters as Express would decode them; undefined (left to Express, which refuses it) when one is not valid percent-encoding. */
function decodedIds(attempt: string, item: string): { attemptId: string; itemId: string } | undefined {
  try {
    return { attemptId: decodeURIComponent(attempt), itemId: decodeURIComponent(item) };
  } catch {
    return undefined;
  }
}
