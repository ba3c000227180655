import type { OAuthParams } from '../../lti11/oauth1';

/** LIS v2 role vocabularies the LTI 1.1 role URNs map to (LTI 1.1.1 Appendix A; Core 1.3 Appendix A.2). */
const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

/**
 * LTI 1.1 `roles` (comma-separated; short names such as `Instructor`, or `urn:lti:role:ims/lis/…`,
 * `urn:lti:instrole:ims/lis/…`, `urn:lti:sysrole:ims/lis/…`) in the LTI 1.3 form the rest of the tool
 * reads (`isPrivilegedRole`). A sub-role (`…/TeachingAssistant/Grader`) keeps its principal role; an
 * unknown value is kept as it is.
 */
export function mapLti11Roles(roles: string | undefined): string[] {
  const out: string[] = [];
  for (const raw of (roles ?? '').split(',')) {
    const role = raw.trim();
    if (!role) {
      continue;
    }
    const m = /^urn:lti:(role|instrole|sysrole):ims\/lis\/([^/]+)(?:\/([^/]+))?$/i.exec(role);
    if (m) {
      const [, kind, principal, sub] = m;
      const base = kind.toLowerCase() === 'role' ? `${LIS}membership` : kind.toLowerCase() === 'instrole' ? `${LIS}institution/person` : `${LIS}system/person`;
      out.push(`${base}#${principal}`);
      if (sub && kind.toLowerCase() === 'role') {
        out.push(`${LIS}membership/${principal}#${sub}`);
      }
    } else if (/^[A-Za-z]+$/.test(role)) {
      out.push(`${LIS}membership#${role}`);
    } else {
      out.push(role);
    }
  }
  return out;
}

/** One value of a form parameter (a repeated one counts as absent: LTI 1.1 parameters are single). */
export function param(params: OAuthParams, name: string): string | undefined {
  const v = params[name];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** `custom_*` parameters without their prefix (LTI 1.1 §4.4: names already lower-cased by the LMS). */
export function customParams(params: OAuthParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k.startsWith('custom_') && typeof v === 'string') {
      out[k.slice('custom_'.length)] = v;
    }
  }
  return out;
}
