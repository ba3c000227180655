import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { setBounded } from '../common/bounded-map';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions';
import { AgsClient, summarize } from '../grades/ags.client';
import { nextLink } from '../grades/ags-urls';
import { AgsCredentials, AgsNetworkError, AgsTokenError } from '../grades/ags.types';
import { isPrivilegedRole, SCOPES } from '../lti/protocol/claims';
import type { LtiLaunchContext } from '../lti/protocol/launch-context';
import { PlatformsService } from '../platforms/platforms.service';
import { NRPS_MEDIA, NrpsFormatError, NrpsMember, parseMembershipPage } from './nrps';
import type { Roster } from './roster.entity';
import { RosterRepository } from './roster.repository';

/** A context's roster is fetched at most once in this window, successful or not (src/roster/README.md). */
export const ROSTER_REFRESH_MS = 5 * 60_000;
/**
 * Most contexts whose last try this process remembers; those past the window are dropped anyway.
 * One forgotten costs a query of its row at its next launch, which decides as before.
 */
const TRIED_MAX = 10_000;
/** Pages followed through `rel="next"` before the fetch gives up (a loop or a huge course). */
const MAX_PAGES = 200;

/**
 * One enrolled member of an LMS context, as reports and the instructor view read it: `userId` is the
 * platform's user id (the same value as a launch's `sub`), `status` `Active` or `Inactive` in the LMS,
 * `learner` true when no role is instructor-like (`isPrivilegedRole`).
 */
export type RosterMemberDto = NrpsMember & { learner: boolean };

/**
 * The roster of one (platform, context). `state`: `ok` (the last fetch succeeded), `unavailable`
 * (it failed: `error` says why; `members` are those of the last success, if any) or `none` (never
 * fetched: no launch with the memberships claim came from that context yet).
 */
export interface RosterDto {
  platformId: string;
  contextId: string;
  contextTitle: string | null;
  state: 'ok' | 'unavailable' | 'none';
  error: string | null;
  /** ISO time of the last successful fetch (null: never). */
  fetchedAt: string | null;
  members: RosterMemberDto[];
}

/** A context of a customer's LMSs with a roster, without its members. */
export interface RosterContextDto {
  platformId: string;
  contextId: string;
  contextTitle: string | null;
  state: 'ok' | 'unavailable';
  error: string | null;
  fetchedAt: string | null;
  memberCount: number;
  learnerCount: number;
}

/** Why a fetch failed, in words for the instructor view and the logs. */
class RosterUnavailable extends Error {}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Names and Roles rosters (NRPS 2.0; src/roster/README.md). A resource-link launch that carries the
 * memberships claim asks for its context's roster with `refreshInBackground`, which returns at once:
 * the fetch (token, every page through `Link: rel="next"`, one transaction to replace the members)
 * runs after the launch, at most once per context in `ROSTER_REFRESH_MS`, and a failure is stored as
 * `unavailable` with its reason — it never reaches the launch. Reports read with `roster` and
 * `contextsOfCustomer`.
 */
@Injectable()
export class RosterService implements OnModuleDestroy {
  private readonly logger = new Logger(RosterService.name);
  /**
   * When this process last started a fetch per (platform, context): the window without a query. At
   * most TRIED_MAX contexts, those tried longer ago than the window dropped as others are set.
   */
  private readonly triedAt = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly repo: RosterRepository,
    private readonly platforms: PlatformsService,
    private readonly ags: AgsClient,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts a fetch of the launch's context roster when the launch carries the memberships claim and
   * the context's roster was not tried within the window. Never throws and never waits: the caller
   * goes on with the launch at once.
   */
  refreshInBackground(ctx: LtiLaunchContext): void {
    if (!ctx.nrps || !ctx.contextId || this.stopping.signal.aborted) {
      return;
    }
    const key = `${ctx.platformId}\n${ctx.contextId}`;
    const now = this.clock.now();
    const last = this.triedAt.get(key);
    if (this.inflight.has(key) || (last !== undefined && now - last < ROSTER_REFRESH_MS)) {
      return;
    }
    this.remember(key, now);
    const run = this.refresh(ctx, ctx.contextId, ctx.nrps.contextMembershipsUrl, now)
      .catch((err: Error) => this.logger.error(`roster of platform ${ctx.platformId} context ${ctx.contextId}: ${err.message}`))
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, run);
  }

  private remember(key: string, triedAtMs: number): void {
    const now = this.clock.now();
    setBounded(this.triedAt, key, triedAtMs, TRIED_MAX, (at) => now - at >= ROSTER_REFRESH_MS);
  }

  /** Resolves when every fetch started so far has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size) {
      await Promise.all([...this.inflight.values()]);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  /** The roster of a context (members sorted by family name, name, user id); state `none` when never fetched. */
  async roster(platformId: string, contextId: string): Promise<RosterDto> {
    const row = await this.repo.findRoster(platformId, contextId);
    if (!row) {
      return { platformId, contextId, contextTitle: null, state: 'none', error: null, fetchedAt: null, members: [] };
    }
    const members = await this.repo.listMembers(row.id);
    return {
      platformId,
      contextId,
      contextTitle: row.contextTitle,
      state: row.state,
      error: row.lastError,
      fetchedAt: iso(row.fetchedAtMs),
      members: members.map((m) => ({
        userId: m.userId,
        name: m.name,
        givenName: m.givenName,
        familyName: m.familyName,
        email: m.email,
        roles: m.roles,
        status: m.status === 'Inactive' ? 'Inactive' : 'Active',
        learner: !isPrivilegedRole(m.roles),
      })),
    };
  }

  /** Every context with a roster on the LMSs bound to a customer, by title. */
  async contextsOfCustomer(customerId: string): Promise<RosterContextDto[]> {
    const rows = await this.repo.listRostersOfPlatforms(await this.repo.platformIdsOfCustomer(customerId));
    return rows.map((r) => ({
      platformId: r.platformId,
      contextId: r.contextId,
      contextTitle: r.contextTitle,
      state: r.state,
      error: r.lastError,
      fetchedAt: iso(r.fetchedAtMs),
      memberCount: r.memberCount,
      learnerCount: r.learnerCount,
    }));
  }

  private async refresh(ctx: LtiLaunchContext, contextId: string, url: string, now: number): Promise<void> {
    // Another instance (or this one before a restart) may have tried within the window.
    const row = await this.repo.findRoster(ctx.platformId, contextId);
    if (row && now - row.triedAtMs < ROSTER_REFRESH_MS && now >= row.triedAtMs) {
      this.remember(`${ctx.platformId}\n${contextId}`, row.triedAtMs);
      return;
    }
    const base: Omit<Roster, 'id' | 'createdAt' | 'updatedAt' | 'state' | 'lastError' | 'fetchedAtMs' | 'memberCount' | 'learnerCount'> = {
      platformId: ctx.platformId,
      contextId,
      contextTitle: row?.contextTitle ?? ctx.contextTitle ?? null,
      deploymentId: ctx.deploymentId,
      membershipsUrl: url,
      triedAtMs: now,
    };
    let fetched: { contextTitle: string | null; members: NrpsMember[] };
    try {
      fetched = await this.fetchAll(ctx, url);
    } catch (err) {
      if (this.stopping.signal.aborted) {
        return;
      }
      const reason = err instanceof RosterUnavailable || err instanceof NrpsFormatError ? err.message : `Unexpected error: ${(err as Error).message}`;
      this.logger.warn(`roster unavailable for platform ${ctx.platformId} context ${contextId}: ${reason}`);
      await this.transactions.run((m) =>
        this.repo.saveRoster(
          { ...base, state: 'unavailable', lastError: reason, fetchedAtMs: row?.fetchedAtMs ?? null, memberCount: row?.memberCount ?? 0, learnerCount: row?.learnerCount ?? 0 },
          m,
        ),
      );
      return;
    }
    const members = [...new Map(fetched.members.map((x) => [x.userId, x])).values()];
    await this.transactions.run(async (m) => {
      const id = await this.repo.saveRoster(
        {
          ...base,
          contextTitle: fetched.contextTitle ?? base.contextTitle,
          state: 'ok',
          lastError: null,
          fetchedAtMs: now,
          memberCount: members.length,
          learnerCount: members.filter((x) => !isPrivilegedRole(x.roles)).length,
        },
        m,
      );
      await this.repo.replaceMembers(id, members, m);
    });
    this.logger.log(`roster of platform ${ctx.platformId} context ${contextId}: ${members.length} members`);
  }

  /** Every page of the memberships container, with a service token (scope contextmembership.readonly). */
  private async fetchAll(ctx: LtiLaunchContext, url: string): Promise<{ contextTitle: string | null; members: NrpsMember[] }> {
    const platform = await this.platforms.get(ctx.platformId);
    if (platform.grantedScopes !== null && !platform.grantedScopes.split(/\s+/).includes(SCOPES.nrps)) {
      throw new RosterUnavailable('The LMS did not grant the Names and Roles scope when the tool was registered.');
    }
    const creds: AgsCredentials = {
      platformId: platform.id,
      clientId: platform.clientId,
      tokenEndpoint: platform.tokenEndpoint,
      tokenAudience: platform.tokenAudience,
      deploymentId: ctx.deploymentId,
    };
    const opts = { timeoutMs: this.config.gradeHttpTimeoutMs, signal: this.stopping.signal };
    let token = await this.call(() => this.ags.accessToken(creds, [SCOPES.nrps], opts));
    const members: NrpsMember[] = [];
    let contextTitle: string | null = null;
    let next: string | undefined = url;
    let refreshed = false;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES) {
        throw new RosterUnavailable(`The roster has more than ${MAX_PAGES} pages; it was not stored.`);
      }
      const current: string = next;
      let answer = await this.call(() => this.ags.get(current, token, NRPS_MEDIA, opts));
      if (answer.status === 401 && !refreshed) {
        refreshed = true;
        token = await this.call(() => this.ags.accessToken(creds, [SCOPES.nrps], { ...opts, refresh: true }));
        answer = await this.call(() => this.ags.get(current, token, NRPS_MEDIA, opts));
      }
      if (answer.status !== 200) {
        throw new RosterUnavailable(`The LMS answered ${answer.status} to the memberships request: ${summarize(answer.body)}`);
      }
      const parsed = parseMembershipPage(answer.body);
      contextTitle ??= parsed.contextTitle;
      members.push(...parsed.members);
      const link = nextLink(answer.headers.get('link'));
      next = link ? new URL(link, current).toString() : undefined;
    }
    return { contextTitle, members };
  }

  /** A token or service call; its network and token failures become a reason in words. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AgsTokenError) {
        throw new RosterUnavailable(`No service token: ${err.message}`);
      }
      if (err instanceof AgsNetworkError) {
        throw new RosterUnavailable(`The LMS could not be reached: ${err.message}`);
      }
      throw err;
    }
  }
}
