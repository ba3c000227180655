import { MESSAGE_TYPE, SCOPES } from '../protocol/claims';

/**
 * What a Dynamic Registration got from the LMS, service by service, in words for the admin who ran it
 * (the outcome page). A service is granted when every scope it needs is in the answer's `scope`.
 */
export interface ServiceOutcome {
  name: string;
  /** The scopes (or, for Deep Linking, the message type) this service stands for. */
  needs: string[];
  granted: boolean;
  /** What that means for this tool, granted or not. */
  meaning: string;
}

interface ServiceRule {
  name: string;
  scopes: string[];
  ifGranted: string;
  ifMissing: string;
}

/** The services the tool asks for (`TOOL_SCOPES`), in the order an admin cares about them. */
const SCOPE_SERVICES: ServiceRule[] = [
  {
    name: 'Grades: send scores (Assignment and Grade Services)',
    scopes: [SCOPES.score],
    ifGranted: 'Each learner’s score and completion are sent to the LMS gradebook as they change.',
    ifMissing: 'No grade can reach the LMS: results stay in this tool’s reports only.',
  },
  {
    name: 'Grades: gradebook columns (Assignment and Grade Services)',
    scopes: [SCOPES.lineItem],
    ifGranted: 'For a link that came without a gradebook column, the tool creates one.',
    ifMissing: 'Grades reach only links that already have a column (the LMS makes one for each course added through Deep Linking).',
  },
  {
    name: 'Grades: read columns and results (Assignment and Grade Services)',
    scopes: [SCOPES.lineItemReadonly, SCOPES.resultReadonly],
    ifGranted: 'The tool may read back the columns and results it wrote.',
    ifMissing: 'Nothing is lost today: grades are sent without reading them back.',
  },
  {
    name: 'Course rosters (Names and Role Provisioning Services)',
    scopes: [SCOPES.nrps],
    ifGranted: 'Reports can list enrolled learners who have not opened the course yet.',
    ifMissing: 'Reports show only learners who have opened a course at least once.',
  },
];

const DEEP_LINKING: Omit<ServiceRule, 'scopes'> = {
  name: 'Course picker (Deep Linking)',
  ifGranted: 'Teachers choose courses from this tool’s list when they add an activity.',
  ifMissing: 'Teachers cannot pick a course from the LMS: they paste a course’s own link (console, Connect an LMS → Per-course links).',
};

/**
 * @param grantedScopes the scopes of the LMS's answer
 * @param deepLinking whether the LMS takes `LtiDeepLinkingRequest` (see `deepLinkingAccepted`)
 */
export function serviceOutcomes(grantedScopes: string[], deepLinking: boolean): ServiceOutcome[] {
  const out = SCOPE_SERVICES.map((s) => {
    const granted = s.scopes.every((scope) => grantedScopes.includes(scope));
    return { name: s.name, needs: s.scopes, granted, meaning: granted ? s.ifGranted : s.ifMissing };
  });
  out.push({ name: DEEP_LINKING.name, needs: [MESSAGE_TYPE.deepLinkingRequest], granted: deepLinking, meaning: deepLinking ? DEEP_LINKING.ifGranted : DEEP_LINKING.ifMissing });
  return out;
}

/**
 * Whether the LMS will send Deep Linking requests: the messages of the registration's answer when it
 * lists them (Moodle lists the Deep Linking message only when it enabled it), else the platform's
 * `messages_supported` when it says, else assumed yes (the tool asked for it and nothing said no).
 */
export function deepLinkingAccepted(answerMessages: unknown, platformMessages: unknown): boolean {
  for (const list of [answerMessages, platformMessages]) {
    if (Array.isArray(list)) {
      return list.some((m) => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === MESSAGE_TYPE.deepLinkingRequest);
    }
  }
  return true;
}

/** LMS product names by DR `product_family_code` (as the LMSs send it, compared in lower case). */
const PRODUCTS: Record<string, string> = {
  moodle: 'Moodle',
  canvas: 'Canvas',
  desire2learn: 'Brightspace',
  d2l: 'Brightspace',
  brightspace: 'Brightspace',
  blackboardlearn: 'Blackboard Learn',
  blackboard: 'Blackboard Learn',
  sakai: 'Sakai',
  schoology: 'Schoology',
  openedx: 'Open edX',
};

/**
 * The name a dynamically registered platform gets: the product's proper name and the LMS's host
 * ("Moodle (lms.school.example)"), never the bare lower-case product code.
 */
export function platformDisplayName(productFamilyCode: unknown, issuer: string): string {
  const host = new URL(issuer).host;
  if (typeof productFamilyCode !== 'string' || productFamilyCode.trim() === '') {
    return host;
  }
  const code = productFamilyCode.trim();
  const product = PRODUCTS[code.toLowerCase().replace(/[\s_-]/g, '')] ?? code.charAt(0).toUpperCase() + code.slice(1);
  return `${product} (${host})`;
}
