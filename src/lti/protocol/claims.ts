/**
 * LTI 1.3 / Advantage protocol identifiers, written once (no inline claim URIs elsewhere).
 * Core = https://www.imsglobal.org/spec/lti/v1p3/, DL = https://www.imsglobal.org/spec/lti-dl/v2p0/.
 */
export const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  launchPresentation: `${LTI}launch_presentation`,
  toolPlatform: `${LTI}tool_platform`,
  lis: `${LTI}lis`,
  /** LTI 1.1 → 1.3 migration (LTI 1.3 Core §5.4.1 "lti1p1"): the 1.1 user and consumer key, signed with the 1.1 secret. */
  lti1p1: `${LTI}lti1p1`,
  /** Canvas's LTI 1.1 user id of the learner (beside or instead of `lti1p1.user_id`). */
  lti11LegacyUserId: `${LTI}lti11_legacy_user_id`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  dlSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  dlContentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  dlData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  dlMsg: 'https://purl.imsglobal.org/spec/lti-dl/claim/msg',
  dlErrorMsg: 'https://purl.imsglobal.org/spec/lti-dl/claim/errormsg',
} as const;

export const LTI_VERSION = '1.3.0';

export const MESSAGE_TYPE = {
  resourceLink: 'LtiResourceLinkRequest',
  deepLinkingRequest: 'LtiDeepLinkingRequest',
  deepLinkingResponse: 'LtiDeepLinkingResponse',
} as const;

/** Scopes the tool asks for (AGS §3.1, NRPS §3). */
export const SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;
export const TOOL_SCOPES: string[] = [SCOPES.lineItem, SCOPES.lineItemReadonly, SCOPES.resultReadonly, SCOPES.score, SCOPES.nrps];

/** Dynamic Registration 1.0 claim names. */
export const DR = {
  toolConfiguration: 'https://purl.imsglobal.org/spec/lti-tool-configuration',
  platformConfiguration: 'https://purl.imsglobal.org/spec/lti-platform-configuration',
} as const;

/** Roles that may preview, pick courses and see instructor views (Core App. A.2). */
const PRIVILEGED = /(#|\/|^)(Instructor|Administrator|ContentDeveloper|TeachingAssistant|SysAdmin)$/;

/**
 * Drops empty role strings (the certification "No Role" payload sends `[""]`, Core §5.3.7) and
 * keeps every other value, unknown URIs included.
 */
export function normaliseRoles(roles: unknown[]): string[] {
  return roles.filter((r): r is string => typeof r === 'string' && r.trim() !== '');
}

/** True for Instructor/Administrator/ContentDeveloper/TA roles, in full, simple or deprecated form. */
export function isPrivilegedRole(roles: string[]): boolean {
  return roles.some((r) => PRIVILEGED.test(r) || /membership\/Instructor#/.test(r));
}
