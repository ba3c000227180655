import type * as http from 'node:http';
import type { PlatformEmulator } from './platform-emulator';

/**
 * The Names and Roles side of the platform emulator (NRPS 2.0; src/roster/README.md): a membership
 * container per context at `/nrps/<context>/memberships`, answered in pages of `pageSize` members
 * with an RFC 8288 `Link: <…>; rel="next"` header to the next page (§2.4), the access token checked
 * for the contextmembership.readonly scope, the media type checked, every request recorded, and
 * failures or a held answer on demand.
 */

export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
export const NRPS_MEDIA = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
const ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';

/** A member as the platform answers it (NRPS 2.0 §2.2). */
export interface EmulatedMember {
  user_id: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  roles: string[];
  status?: 'Active' | 'Inactive' | 'Deleted';
}

export interface NrpsRequest {
  url: string;
  status: number;
  accept: string | undefined;
}

/** A learner of the emulated roster (role `membership#Learner`). */
export function learnerMember(userId: string, name: string, extra: Partial<EmulatedMember> = {}): EmulatedMember {
  const [given, ...family] = name.split(' ');
  return { user_id: userId, name, given_name: given, family_name: family.join(' '), email: `${userId}@example.edu`, roles: [`${ROLE}Learner`], ...extra };
}

/** An instructor of the emulated roster (role `membership#Instructor`). */
export function instructorMember(userId: string, name: string): EmulatedMember {
  return { ...learnerMember(userId, name), roles: [`${ROLE}Instructor`] };
}

export class NrpsEmulator {
  /** Members per context id. */
  readonly contexts = new Map<string, { title: string; members: EmulatedMember[] }>();
  /** Members per page (the `limit` query parameter, when sent, wins). */
  pageSize = 100;
  readonly requests: NrpsRequest[] = [];
  private failures: Array<{ status: number; body: string }> = [];
  private held: Array<() => void> | null = null;

  constructor(
    private readonly baseUrl: () => string,
    private readonly checkAccessToken: (authorization: string | undefined, scope: string) => { ok: boolean; status: number },
  ) {}

  setMembers(contextId: string, members: EmulatedMember[], title = `Course ${contextId}`): void {
    this.contexts.set(contextId, { title, members });
  }

  membershipsUrl(contextId: string): string {
    return `${this.baseUrl()}/nrps/${contextId}/memberships`;
  }

  /** The next `n` memberships requests answer `status`. */
  failNext(n: number, status: number, body = 'Roster service unavailable'): void {
    for (let i = 0; i < n; i++) {
      this.failures.push({ status, body });
    }
  }

  /** Holds every answer until the returned function is called (to show a launch does not wait for the roster). */
  hold(): () => void {
    this.held = [];
    return () => {
      const waiting = this.held ?? [];
      this.held = null;
      waiting.forEach((go) => go());
    };
  }

  /** Memberships requests of one context. */
  requestsOf(contextId: string): NrpsRequest[] {
    return this.requests.filter((r) => new URL(r.url).pathname === `/nrps/${contextId}/memberships`);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl());
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      this.requests.push({ url: url.toString(), status, accept: req.headers.accept });
      res.writeHead(status, { 'Content-Type': status === 200 ? NRPS_MEDIA : 'text/plain', ...headers });
      res.end(body);
    };
    if (this.held) {
      await new Promise<void>((resolve) => this.held?.push(resolve));
    }
    const auth = this.checkAccessToken(req.headers.authorization, NRPS_SCOPE);
    if (!auth.ok) {
      return answer(auth.status, 'invalid or insufficient token');
    }
    const failure = this.failures.shift();
    if (failure) {
      return answer(failure.status, failure.body);
    }
    if (!(req.headers.accept ?? '').includes(NRPS_MEDIA)) {
      return answer(406, `Accept must be ${NRPS_MEDIA}`);
    }
    const m = /^\/nrps\/([^/]+)\/memberships$/.exec(url.pathname);
    const context = m ? this.contexts.get(decodeURIComponent(m[1])) : undefined;
    if (!m || !context) {
      return answer(404, 'no such context');
    }
    const limit = Number(url.searchParams.get('limit') ?? this.pageSize);
    const page = Number(url.searchParams.get('page') ?? 0);
    const slice = context.members.slice(page * limit, (page + 1) * limit);
    const headers: Record<string, string> = {};
    if ((page + 1) * limit < context.members.length) {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('limit', String(limit));
      headers.Link = `<${next.toString()}>; rel="next", <${url.origin}${url.pathname}?since=${page}>; rel="differences"`;
    }
    return answer(200, JSON.stringify({ id: url.toString(), context: { id: m[1], label: m[1], title: context.title }, members: slice }), headers);
  }
}

/** Adds the NRPS routes to a platform emulator (its `route` hook). */
export function attachNrps(emulator: PlatformEmulator): NrpsEmulator {
  const nrps = new NrpsEmulator(
    () => emulator.url,
    (header, scope) => emulator.checkAccessToken(header, scope),
  );
  emulator.route('GET', '/nrps/', (req, res) => nrps.handle(req, res));
  return nrps;
}
