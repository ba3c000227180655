import type { Response } from 'express';

/**
 * What a validated LTI resource-link launch hands to the player (the seam between `lti/` and
 * `player/`). Built by the launch service from the checked id_token claims (docs/lti-launch-checks.md).
 */
export interface LtiLaunchContext {
  platformId: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  /** The id_token `sub`: the learner's stable id on that platform. */
  sub: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  roles: string[];
  /** Instructor, admin, content developer or TA: previews, no grade passback. */
  isInstructor: boolean;
  resourceLinkId: string;
  resourceLinkTitle?: string;
  contextId?: string;
  contextTitle?: string;
  courseId: string;
  /** AGS endpoint claim (https://purl.imsglobal.org/spec/lti-ags/claim/endpoint), if sent. */
  ags?: { scope: string[]; lineitem?: string; lineitems?: string };
  /** NRPS claim, if sent. */
  nrps?: { contextMembershipsUrl: string; serviceVersions: string[] };
  custom: Record<string, string>;
  /** LTI 1.1 Basic Outcomes of a learner's launch (`lis_outcome_service_url`, `lis_result_sourcedid`), if both were sent. */
  outcome?: { serviceUrl: string; sourcedId: string };
  /** launch_presentation.return_url, if sent. */
  returnUrl?: string;
  locale?: string;
}

/**
 * Receives a successful resource-link launch and answers the browser (normally: create or resume the
 * attempt and send the learner to the player on the content origin). Provided by the player module.
 */
export abstract class LaunchHandoff {
  abstract handoff(ctx: LtiLaunchContext, res: Response): Promise<void>;
}
