import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AttemptLaunchService } from '../attempts/attempt-launch.service';
import { ResumeSeedService } from '../attempts/resume-seed.service';
import { AppError } from '../common/errors';
import { CustomersService } from '../customers/customers.service';
import { LicenceAccessService } from '../licences/licence-access.service';
import type { SeatHolder } from '../licences/licences.repository';
import { launchRefused } from '../lti/customers/customer-refusals';
import { licenceRefused } from '../lti/customers/licence-refusals';
import type { LtiLaunchContext } from '../lti/protocol/launch-context';
import { PlayerLaunchService } from '../player/player-launch.service';
import { DispatchTokens } from './dispatch-tokens';
import type { DispatchLaunchBody } from './dispatch.dto';
import type { Dispatch } from './dispatch.entity';
import { DispatchRepository } from './dispatch.repository';

/** Stands where an LTI launch has its issuer, client and deployment: a dispatch has none of them. */
const DISPATCH = 'dispatch';

/**
 * A learner opening an imported dispatch package (content origin, src/dispatch/README.md). The same
 * rules as an LTI launch, in the same order and with the same words: the customer must be active,
 * a licence in force must cover the course and admit this learner (a first launch takes a seat). Then
 * the learner's attempt is found or created like an LTI launch's, under the dispatch (as the platform
 * and the resource link) and the LMS's learner id, and the bridge page gets a one-time player URL. A
 * place the LMS kept that the bridge has no record of (`lmsLocation`, `lmsSuspendData`) seeds the attempt.
 */
@Injectable()
export class DispatchLaunchService {
  private readonly logger = new Logger(DispatchLaunchService.name);

  constructor(
    private readonly repo: DispatchRepository,
    private readonly tokens: DispatchTokens,
    private readonly customers: CustomersService,
    private readonly licences: LicenceAccessService,
    private readonly attempts: AttemptLaunchService,
    private readonly seeds: ResumeSeedService,
    private readonly player: PlayerLaunchService,
  ) {}

  /**
   * The dispatch a package's token names, if it may be opened at all (before any learner is known):
   * signed by us, not revoked, its customer not suspended. Throws the readable refusal otherwise.
   */
  async openable(token: string): Promise<Dispatch> {
    const id = await this.tokens.verify(token);
    const row = id === null ? null : await this.repo.find(id);
    if (!row) {
      throw new AppError(
        'dispatch_unknown',
        'This course package is not known to the course provider (it may have been deleted, or the package was altered). Please let your training contact know.',
        HttpStatus.NOT_FOUND,
      );
    }
    if (row.state === 'revoked') {
      throw new AppError(
        'dispatch_revoked',
        'This course is no longer available here: the course provider has withdrawn this course package. Your progress is kept. Please let your training contact know.',
        HttpStatus.FORBIDDEN,
      );
    }
    const refusal = await this.customers.launchRefusal(row.customerId);
    if (refusal) {
      throw launchRefused(refusal, row.title, false);
    }
    return row;
  }

  /** Checks the licence for this LMS learner (taking a seat at their first launch) and answers a one-time player URL. */
  async launch(token: string, body: DispatchLaunchBody): Promise<{ playerUrl: string }> {
    const row = await this.openable(token);
    const refusal = await this.licences.admit(row.customerId, row.courseId, await this.seatHolder(row, body));
    if (refusal) {
      throw licenceRefused(refusal, false);
    }
    const attempt = await this.attempts.resolveLaunch(dispatchContext(row, body));
    // The LMS kept a place the bridge has no record of (docs/dispatch.md): resume there.
    await this.seeds.seed(attempt, { location: body.lmsLocation, suspendData: body.lmsSuspendData });
    const playerUrl = await this.player.playerUrlOf(attempt.id);
    this.logger.log(`dispatch launch dispatch=${row.id} course=${row.courseId}`);
    return { playerUrl };
  }

  /**
   * Who holds the learner's seat (docs/dispatch.md "Seats"). A seat names the LMS, not the dispatch, so
   * a learner who reaches the customer's courses through several dispatches in one LMS counts once: the
   * LMS is the customer's LTI platform whose issuer has the LMS page's origin (its SCORM learner ids
   * are then taken as that platform's LTI user ids, so a learner who also comes by LTI counts once),
   * else the origin itself. Without an origin (an older package page) the dispatch stands for the LMS.
   * Only the seat is shared: the learner's records stay under the dispatch.
   */
  private async seatHolder(row: Dispatch, body: DispatchLaunchBody): Promise<SeatHolder> {
    const origin = body.lmsOrigin;
    if (!origin) {
      return { platformId: row.id, sub: body.learnerId };
    }
    const platform = (await this.repo.platformsOfCustomer(row.customerId)).find((p) => originOf(p.issuer) === origin);
    return { platformId: platform?.id ?? lmsSeatId(row.customerId, origin), sub: body.learnerId };
  }
}

/** The origin of an issuer URL, or null when it is none. */
function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** A stable id for an LMS known only by its origin, within one customer (36 characters, as a platform id; never a UUID). */
export function lmsSeatId(customerId: string, origin: string): string {
  return `lms-${createHash('sha256').update(`${customerId}\n${origin}`).digest('hex').slice(0, 32)}`;
}

/**
 * The launch as the attempt model knows launches: the dispatch is the "platform" and the resource link
 * (one placement per dispatch), the LMS's learner id the `sub`. SCORM names are "Family, Given".
 */
export function dispatchContext(row: Pick<Dispatch, 'id' | 'courseId' | 'title'>, body: DispatchLaunchBody): LtiLaunchContext {
  const name = body.learnerName ?? undefined;
  const [family, given] = name?.includes(',') ? name.split(',', 2).map((s) => s.trim()) : [undefined, undefined];
  return {
    platformId: row.id,
    issuer: DISPATCH,
    clientId: DISPATCH,
    deploymentId: DISPATCH,
    sub: body.learnerId,
    name: given && family ? `${given} ${family}` : name,
    givenName: given || undefined,
    familyName: family || undefined,
    roles: [],
    isInstructor: false,
    resourceLinkId: row.id,
    resourceLinkTitle: row.title,
    courseId: row.courseId,
    custom: {},
  };
}
