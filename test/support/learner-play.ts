import { adminApi } from './admin-api';
import { playerUrlAfterLaunch } from './instructor-view';
import { buildFixtureZip } from './scorm-package.builder';
import type { LtiTestbed, PlatformEmulator } from './platform-emulator';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

/** How a 1.2 SCO session ends: its final lesson status and raw score (0..100); null: opened, nothing committed. */
export type ScoOutcome = { status: 'passed' | 'failed' | 'completed' | 'incomplete'; raw?: number } | null;

/**
 * One learner's visit of a single-SCO 1.2 course, through everything a browser would do: an LTI launch
 * from `lms` as `sub` (without an AGS claim, so no grade is sent), the player page, the SCO's launch on
 * the runtime API and, unless `outcome` is null, one final commit with that status and score.
 */
export async function playAs(
  tb: LtiTestbed,
  lms: PlatformEmulator,
  courseId: string,
  who: { sub: string; name: string; instructor?: boolean; link?: string },
  outcome: ScoOutcome,
): Promise<void> {
  const res = await lms.launch({
    toolUrl: tb.app.appUrl,
    courseId,
    claims: {
      sub: who.sub,
      name: who.name,
      [`${LTI}resource_link`]: { id: who.link ?? `link-${courseId}`, title: 'Week 1' },
      [`${LTI}roles`]: [who.instructor ? INSTRUCTOR : LEARNER],
      'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': undefined,
    },
  });
  await playLaunch(tb, res, outcome);
}

/**
 * The browser's part after a launch answer (LTI 1.3 or 1.1): the player page, the SCO's launch on the
 * runtime API and, unless `outcome` is null, one final commit with that status and score (and, when
 * given, a location and suspend data to resume from). Answers the SCO's runtime state as it opened.
 */
export async function playLaunch(
  tb: LtiTestbed,
  res: { status: number; text: string },
  outcome: ScoOutcome,
  resume: { location?: string; suspendData?: string; terminate?: boolean } = {},
): Promise<Record<string, any>> {
  const page = await (await fetch(await playerUrlAfterLaunch(res))).text(); // an instructor through their view's preview button
  const boot = JSON.parse(/<script type="application\/json" id="bridge-bootstrap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? 'null') as { token: string; runtimeBase: string; startItemId: string };
  const auth = { Authorization: `Bearer ${boot.token}` };
  const sco = `${tb.app.contentUrl}${boot.runtimeBase}/scos/${encodeURIComponent(boot.startItemId)}`;
  const opened = await fetch(sco, { headers: auth });
  if (opened.status !== 200) {
    throw new Error(`the SCO did not open: ${opened.status}`);
  }
  const state = (await opened.json()) as Record<string, any>;
  if (!outcome) {
    return state;
  }
  const core = { lesson_status: outcome.status, lesson_location: resume.location ?? '', exit: resume.terminate === false ? 'suspend' : '', session_time: '00:02:00', score: { raw: outcome.raw === undefined ? '' : String(outcome.raw), min: '0', max: '100' } };
  const commit = await fetch(`${sco}/commit`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ session: 1, seq: 1, terminate: resume.terminate ?? true, cmi: { suspend_data: resume.suspendData ?? '', core } }),
  });
  if (commit.status !== 200) {
    throw new Error(`the commit failed: ${commit.status} ${await commit.text()}`);
  }
  return state;
}

/** Imports the single-SCO 1.2 fixture as another course (an extra file makes its zip differ) under `title`. */
export async function importCourseCopy(tb: LtiTestbed, title: string): Promise<string> {
  const form = new FormData();
  const zip = await buildFixtureZip('scorm12-single-sco', { files: { 'notes.txt': title } });
  form.append('package', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), 'course.zip');
  const res = await fetch(`${tb.app.appUrl}/api/courses`, { method: 'POST', headers: tb.app.auth, body: form });
  if (res.status !== 201) {
    throw new Error(`importing ${title} failed: ${res.status} ${await res.text()}`);
  }
  const id = ((await res.json()) as { id: string }).id;
  await adminSend(tb, 'PATCH', `/api/courses/${id}`, { title });
  return id;
}

/** An admin API call that must succeed; answers the parsed JSON body. */
export async function adminSend(tb: LtiTestbed, method: string, path: string, body: unknown): Promise<any> {
  const res = await adminApi(() => tb.app)(method, path, body);
  if (res.status >= 300) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}
