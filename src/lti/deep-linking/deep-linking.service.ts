import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { CoursesService } from '../../courses/courses.service';
import { PlatformsService } from '../../platforms/platforms.service';
import { SecretsService } from '../../secrets/secrets.service';
import { CLAIM, LTI_VERSION, MESSAGE_TYPE } from '../protocol/claims';
import type { DeepLinkingSettings, PickerPlace } from '../launch/launch.service';
import { LtiError } from '../protocol/lti-error';
import type { SafeHtml } from '../../common/html';
import type { PickerSubmission } from './picker-submission.dto';
import { autoPostForm } from '../protocol/pages';
import { pickerPage, type PickerCourse } from './picker-page';
import type { CourseDto } from '../../courses/courses.service';
import { ToolKeysService } from '../keys/tool-keys.service';
import type { Platform } from '../../platforms/platform.entity';
import { LicenceAccessService } from '../../licences/licence-access.service';
import { licenceRefused } from '../customers/licence-refusals';

/** How long the picker may stay open before the selection is refused. */
const SESSION_SECONDS = 3600;
const SESSION_AUDIENCE = 'lti-deep-linking-session';

interface PickerSession {
  platformId: string;
  deploymentId: string;
  returnUrl: string;
  data?: string;
  multiple: boolean;
  lineItem: boolean;
  targets: string[];
}

/** Content item sent for a course (DL §3.2 `ltiResourceLink`, with a line item so the LMS makes a gradebook column). */
export interface ResourceLinkItem {
  type: 'ltiResourceLink';
  title: string;
  url: string;
  custom: Record<string, string>;
  lineItem?: { scoreMaximum: number; label: string; resourceId: string; tag: string };
  iframe?: Record<string, never>;
  window?: { targetName: string };
}

/**
 * Deep Linking 2.0 (DL §2–§4, docs/lti-launch-checks.md): the course picker for instructors and the
 * signed `LtiDeepLinkingResponse` auto-posted back to the platform. The picker's state travels in a
 * short-lived HMAC-signed session field of the form, never in a URL or cookie.
 */
@Injectable()
export class DeepLinkingService {
  private readonly logger = new Logger(DeepLinkingService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly courses: CoursesService,
    private readonly platforms: PlatformsService,
    private readonly secrets: SecretsService,
    private readonly keys: ToolKeysService,
    private readonly licences: LicenceAccessService,
  ) {}

  /** The page answering a deep linking launch: the picker, or at once an error response if we cannot help. */
  async start(platform: Platform, deploymentId: string, settings: DeepLinkingSettings, where: PickerPlace = { contextTitle: null, siteName: null }): Promise<SafeHtml> {
    const session: PickerSession = {
      platformId: platform.id,
      deploymentId,
      returnUrl: settings.deep_link_return_url,
      data: typeof settings.data === 'string' ? settings.data : undefined,
      multiple: !isFalse(settings.accept_multiple),
      lineItem: !isFalse(settings.accept_lineitem),
      targets: Array.isArray(settings.accept_presentation_document_targets) ? settings.accept_presentation_document_targets : [],
    };
    if (!Array.isArray(settings.accept_types) || !settings.accept_types.includes('ltiResourceLink')) {
      // DL §2.3: always answer, so the platform can close its frame.
      return this.responseForm(platform, session, [], 'This LMS placement does not accept LTI resource links, so no SCORM course can be added here.');
    }
    const list = await this.licensedCourses(platform);
    const token = await new SignJWT({ ...session })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(SESSION_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${SESSION_SECONDS}s`)
      .sign(await this.secret());
    return pickerPage({
      action: `${this.config.publicUrl}/lti/deep-linking/respond`,
      session: token,
      multiple: session.multiple,
      contextTitle: where.contextTitle,
      lmsName: where.siteName ?? platform.name,
      courses: list.map(pickerCourse),
    });
  }

  /** The picker's submission: builds the items and returns the auto-post form to the platform. */
  async respond(body: PickerSubmission): Promise<SafeHtml> {
    let session: PickerSession;
    try {
      const { payload } = await jwtVerify(body.session, await this.secret(), { audience: SESSION_AUDIENCE, algorithms: ['HS256'] });
      session = payload as unknown as PickerSession;
    } catch {
      throw new LtiError('lti_deep_linking_session_invalid', 'The course picker has expired; open it again from the LMS.', HttpStatus.UNAUTHORIZED);
    }
    const platform = await this.platforms.get(session.platformId);
    if (body.action === 'cancel') {
      return this.responseForm(platform, session, []);
    }
    const raw = body.course_id;
    const ids = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    if (ids.length === 0) {
      throw new LtiError('lti_deep_linking_nothing_selected', 'Select a course, or press Cancel.', HttpStatus.BAD_REQUEST);
    }
    if (!session.multiple && ids.length > 1) {
      throw new LtiError('lti_deep_linking_single_only', 'This LMS placement accepts one course only; select one.', HttpStatus.BAD_REQUEST);
    }
    const items: ResourceLinkItem[] = [];
    for (const id of ids) {
      // the picker listed only licensed courses; a forged or since-unlicensed id is refused here
      const refusal = platform.customerId === null ? null : await this.licences.pickRefusal(platform.customerId, id);
      if (refusal) {
        throw licenceRefused(refusal, true);
      }
      const course = await this.courses.get(id);
      if (course.archivedAt !== null) {
        // a picker opened before the course was archived still lists it
        throw new LtiError('lti_deep_linking_course_archived', `“${course.title}” has been withdrawn by its publisher and can no longer be added; choose another course.`, HttpStatus.CONFLICT);
      }
      const item: ResourceLinkItem = {
        type: 'ltiResourceLink',
        title: course.title,
        url: `${this.config.publicUrl}/lti/courses/${encodeURIComponent(course.id)}`,
        custom: { course_id: course.id },
      };
      if (session.lineItem) {
        item.lineItem = { scoreMaximum: 100, label: course.title, resourceId: course.id, tag: 'scorm' };
      }
      if (session.targets.includes('iframe')) {
        item.iframe = {};
      } else if (session.targets.includes('window')) {
        item.window = { targetName: '_blank' };
      }
      items.push(item);
    }
    this.logger.log(`deep linking response platform=${platform.id} items=${items.length}`);
    return this.responseForm(platform, session, items);
  }

  /** The courses the picker offers: all of them, or for a platform of a customer those a licence in force covers (issue 9). */
  private async licensedCourses(platform: Platform): Promise<CourseDto[]> {
    const list = await this.courses.list(undefined, false); // archived courses are not offered
    if (platform.customerId === null) {
      return list;
    }
    const usable = await this.licences.usableCourses(platform.customerId);
    return usable.every ? list : list.filter((c) => usable.courseIds.has(c.id));
  }

  /** Signs the `LtiDeepLinkingResponse` (Sec §5.2.2, DL §4.5): iss = client id, aud = platform issuer. */
  private async responseForm(platform: Platform, session: PickerSession, items: ResourceLinkItem[], errormsg?: string): Promise<SafeHtml> {
    const payload: Record<string, unknown> = {
      iss: platform.clientId,
      aud: platform.issuer,
      nonce: randomBytes(16).toString('base64url'),
      [CLAIM.deploymentId]: session.deploymentId,
      [CLAIM.messageType]: MESSAGE_TYPE.deepLinkingResponse,
      [CLAIM.version]: LTI_VERSION,
      [CLAIM.dlContentItems]: items,
    };
    if (session.data !== undefined) {
      payload[CLAIM.dlData] = session.data;
    }
    if (errormsg) {
      payload[CLAIM.dlErrorMsg] = errormsg;
    } else if (items.length) {
      payload[CLAIM.dlMsg] = `Added ${items.length} course${items.length > 1 ? 's' : ''}.`;
    }
    const jwt = await this.keys.signJwt(payload, { expiresInSeconds: 300 });
    return autoPostForm(session.returnUrl, { JWT: jwt }, 'Returning to the LMS…');
  }

  private async secret(): Promise<Uint8Array> {
    return new Uint8Array(await this.secrets.get('lti-deep-linking-session'));
  }
}

/** What the picker shows of a course: its current version's fields. */
function pickerCourse(c: CourseDto): PickerCourse {
  const v = c.currentVersion;
  return {
    id: c.id,
    title: c.title,
    description: v?.description ?? null,
    versionNumber: v?.number ?? null,
    scormVersion: v?.scormVersion ?? null,
    edition: v?.edition ?? null,
    scoCount: v?.scos.length ?? 0,
  };
}

/** DL settings booleans: ltijs also sees the string "false" (docs/lti-launch-checks.md). */
function isFalse(v: unknown): boolean {
  return v === false || v === 'false';
}
