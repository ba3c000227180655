/**
 * Names and Roles Provisioning Service 2.0 (https://www.imsglobal.org/spec/lti-nrps/v2p0), the pure
 * part: the media type and the reading of one page of a membership container (§2.2–2.4).
 */

/** The membership container's media type (NRPS 2.0 §2.2), sent as `Accept`. */
export const NRPS_MEDIA = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

/** A member as the roster keeps it. */
export interface NrpsMember {
  userId: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  roles: string[];
  /** `Active` or `Inactive`. */
  status: 'Active' | 'Inactive';
}

export interface NrpsPage {
  contextTitle: string | null;
  members: NrpsMember[];
}

/** A page that is not a membership container: the roster is kept as it was and the fetch counts as failed. */
export class NrpsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NrpsFormatError';
  }
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.trim() !== '' ? v.slice(0, max) : null);

/**
 * Reads one page of a membership container. A member without a `user_id` is skipped; `status`
 * absent means Active (§2.2); a `Deleted` member (only in a differences answer, §2.4.1) is left out.
 */
export function parseMembershipPage(body: string): NrpsPage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new NrpsFormatError('The memberships answer is not JSON.');
  }
  const container = parsed as { context?: { title?: unknown }; members?: unknown } | null;
  if (!container || typeof container !== 'object' || !Array.isArray(container.members)) {
    throw new NrpsFormatError('The memberships answer has no "members" list.');
  }
  const members: NrpsMember[] = [];
  for (const raw of container.members as Array<Record<string, unknown>>) {
    if (!raw || typeof raw !== 'object' || typeof raw.user_id !== 'string' || raw.user_id === '' || raw.user_id.length > 255) {
      continue;
    }
    const status = raw.status === undefined ? 'Active' : raw.status;
    if (status !== 'Active' && status !== 'Inactive') {
      continue;
    }
    members.push({
      userId: raw.user_id,
      name: text(raw.name, 500),
      givenName: text(raw.given_name, 255),
      familyName: text(raw.family_name, 255),
      email: text(raw.email, 320),
      roles: Array.isArray(raw.roles) ? raw.roles.filter((r): r is string => typeof r === 'string' && r !== '') : [],
      status,
    });
  }
  return { contextTitle: text(container.context?.title, 500), members };
}
