import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Course } from '../../src/courses/course.entity';
import { CourseVersion } from '../../src/courses/course-version.entity';
import { Learner } from '../../src/attempts/learner.entity';
import { ResourceLink } from '../../src/attempts/resource-link.entity';
import { Attempt } from '../../src/attempts/attempt.entity';
import { ScoState } from '../../src/attempts/sco-state.entity';
import { PlatformsService } from '../../src/platforms/platforms.service';
import { GradeOutboxService } from '../../src/grades/grade-outbox.service';
import { GradeDispatcher } from '../../src/grades/grade-dispatcher';
import { GradeDelivery } from '../../src/grades/grade-delivery.entity';
import type { ParsedManifest } from '../../src/scorm/manifest.types';
import type { TestApp } from './app';
import type { AgsPlatform } from './ags-platform';
import type { ManualClock } from './manual-clock';

export const SCOPE_SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
export const SCOPE_LINEITEM = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem';

/** A one-SCO (or n-SCO) manifest in the parsed form the importer stores. */
export function manifest(scormVersion: '1.2' | '2004', itemIds = ['sco1'], extra: Record<string, unknown> = {}): ParsedManifest {
  return {
    scormVersion,
    edition: scormVersion === '2004' ? '4th' : null,
    identifier: 'm1',
    title: 'Grades test course',
    organizationId: 'org1',
    items: itemIds.map((id) => ({ identifier: id, title: id, isVisible: true, resourceId: `r-${id}`, launchUrl: `${id}.html`, scormType: 'sco' as const, children: [], ...extra })),
    resources: [],
    scos: itemIds.map((id) => ({ itemId: id, title: id, launchUrl: `${id}.html`, scormType: 'sco' as const, resourceId: `r-${id}`, isVisible: true })),
  };
}

/**
 * Seeds what a launch would have created (platform, course version, learner, resource link with its
 * AGS claim, attempt), so the outbox can be driven through `recordResult` exactly as the runtime
 * commit does it: inside a transaction that also writes the ScoState.
 */
export class GradesHarness {
  platformId = '';
  courseId = '';
  versionId = '';

  /** `clock`: the ManualClock the app was started with, for `advance`. */
  constructor(
    readonly app: TestApp,
    readonly lms: AgsPlatform,
    readonly clock?: ManualClock,
  ) {}

  get db(): DataSource {
    return this.app.server.app.get(DataSource);
  }

  get outbox(): GradeOutboxService {
    return this.app.server.app.get(GradeOutboxService, { strict: false });
  }

  /** Lets the outbox do all that is due at the app's current time: every send answered and settled. */
  settled(): Promise<void> {
    return this.app.server.app.get(GradeDispatcher, { strict: false }).idle();
  }

  /** Moves the app's clock by `ms` (firing the outbox's wake-up if it falls due), then waits until it has settled. */
  async advance(ms: number): Promise<void> {
    if (!this.clock) {
      throw new Error('advance() needs the ManualClock the app was started with');
    }
    this.clock.advance(ms);
    await this.settled();
  }

  async setUp(man: ParsedManifest = manifest('2004')): Promise<void> {
    const platforms = this.app.server.app.get(PlatformsService, { strict: false });
    const dto = await platforms.create({
      name: 'AGS emulator',
      issuer: this.lms.url,
      clientId: 'tool-client-1',
      authorizationEndpoint: `${this.lms.url}/auth`,
      tokenEndpoint: this.lms.tokenEndpoint,
      jwksUri: `${this.lms.url}/jwks`,
      deploymentIds: ['dep-1'],
    });
    this.platformId = dto.id;
    const course = await this.db.getRepository(Course).save(Object.assign(new Course(), { title: 'Grades test course', currentVersionId: null }));
    this.courseId = course.id;
    const version = Object.assign(new CourseVersion(), {
      courseId: course.id,
      number: 1,
      scormVersion: man.scormVersion,
      edition: man.edition,
      manifest: man,
      warnings: [],
      originalFilename: 'x.zip',
      packageBytes: 1,
      unpackedBytes: 1,
      fileCount: 1,
      sha256: '0'.repeat(64),
    });
    this.versionId = (await this.db.getRepository(CourseVersion).save(version)).id;
  }

  /** A resource link with the given AGS claim (none → no passback). */
  async link(ags: { lineitem?: string; lineitems?: string; scope?: string[] } | null, resourceLinkId = `rl-${randomUUID()}`): Promise<ResourceLink> {
    return this.db.getRepository(ResourceLink).save(
      Object.assign(new ResourceLink(), {
        platformId: this.platformId,
        deploymentId: 'dep-1',
        resourceLinkId,
        courseId: this.courseId,
        title: 'Unit 1 quiz',
        agsLineItemUrl: ags?.lineitem ?? null,
        agsLineItemsUrl: ags?.lineitems ?? null,
        agsScopes: ags ? (ags.scope ?? [SCOPE_SCORE, SCOPE_LINEITEM]) : null,
        lineItemUrl: null,
        nrpsMembershipsUrl: null,
      }),
    );
  }

  async attempt(link: ResourceLink, sub: string, opts: { preview?: boolean; number?: number } = {}): Promise<Attempt> {
    const learners = this.db.getRepository(Learner);
    const learner =
      (await learners.findOneBy({ platformId: this.platformId, sub })) ??
      (await learners.save(Object.assign(new Learner(), { platformId: this.platformId, sub, name: `Learner ${sub}`, givenName: null, familyName: null, email: null })));
    return this.db.getRepository(Attempt).save(
      Object.assign(new Attempt(), {
        learnerId: learner.id,
        resourceLinkId: link.id,
        courseVersionId: this.versionId,
        number: opts.number ?? 1,
        preview: opts.preview ?? false,
        completedAt: null,
        lastLaunchedAt: new Date(),
        launchCount: 1,
      }),
    );
  }

  /** Writes a SCO's state and tells the outbox, in one transaction (what a runtime commit does). */
  async commit(attempt: Attempt, values: Partial<ScoState>, itemId = 'sco1'): Promise<void> {
    await this.db.transaction(async (m) => {
      const existing = await m.findOneBy(ScoState, { attemptId: attempt.id, itemId });
      const row = existing ?? m.create(ScoState, { attemptId: attempt.id, itemId });
      Object.assign(row, values);
      await m.save(ScoState, row);
      await this.outbox.recordResult(m, attempt.id);
    });
  }

  deliveries(): Promise<GradeDelivery[]> {
    return this.db.getRepository(GradeDelivery).find();
  }
}
