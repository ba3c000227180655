/**
 * Following a launch answer the way a browser does, for tests: a learner's launch hands over the
 * player URL at once; an instructor's goes to the instructor view on the tool origin, whose
 * "Open the course (preview)" form answers the player URL of the preview attempt.
 */

const unescape = (v: string) => v.replace(/&amp;/g, '&');

/** The instructor view URL of a launch answer (null for a learner's launch). */
export function instructorViewUrl(launchPage: string): string | null {
  const m = /data-instructor-url="([^"]+)"/.exec(launchPage);
  return m ? unescape(m[1]) : null;
}

/** The preview form's action on an instructor view page (absolute, against the view's URL). */
export function previewAction(viewPage: string, viewUrl: string): string {
  const m = /<form method="post" action="([^"]+)">/.exec(viewPage);
  if (!m) {
    throw new Error(`no preview form on the instructor view: ${viewPage.slice(0, 300)}`);
  }
  return new URL(unescape(m[1]), viewUrl).toString();
}

/** The one-time player URL a launch answer leads to: directly (learner) or through the instructor view's preview form. */
export async function playerUrlAfterLaunch(launch: { status: number; text: string }): Promise<string> {
  let page = launch.text;
  const view = instructorViewUrl(page);
  if (launch.status === 200 && view) {
    const viewPage = await (await fetch(view)).text();
    page = await (await fetch(previewAction(viewPage, view), { method: 'POST' })).text();
  }
  const m = /data-player-url="([^"]+)"/.exec(page);
  if (launch.status !== 200 || !m) {
    throw new Error(`the launch did not reach the player: ${launch.status} ${page.slice(0, 300)}`);
  }
  return unescape(m[1]);
}

/** What a 1.2 SCO commits at the end of a session (null: opened, no commit). */
export type FinalCommit = { status: 'passed' | 'failed' | 'completed' | 'incomplete'; raw?: number } | null;

/**
 * Opens the player page of a one-time player URL over HTTP, starts its first SCO through the runtime
 * API and, unless `outcome` is null, commits a final 1.2 session (3 minutes, that status and raw score).
 */
export async function playAndCommit(playerUrl: string, outcome: FinalCommit): Promise<void> {
  const page = await (await fetch(playerUrl)).text();
  const boot = JSON.parse(/<script type="application\/json" id="bridge-bootstrap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? 'null') as { token: string; runtimeBase: string; startItemId: string };
  const auth = { Authorization: `Bearer ${boot.token}` };
  const sco = `${new URL(playerUrl).origin}${boot.runtimeBase}/scos/${encodeURIComponent(boot.startItemId)}`;
  const started = await fetch(sco, { headers: auth });
  if (started.status !== 200) {
    throw new Error(`the SCO did not start: ${started.status}`);
  }
  if (outcome) {
    const core = { lesson_status: outcome.status, lesson_location: '', exit: '', session_time: '00:03:00', score: { raw: outcome.raw === undefined ? '' : String(outcome.raw), min: '0', max: '100' } };
    const commit = await fetch(`${sco}/commit`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ session: 1, seq: 1, terminate: true, cmi: { suspend_data: '', core } }) });
    if (commit.status !== 200) {
      throw new Error(`the commit was refused: ${commit.status} ${await commit.text()}`);
    }
  }
}
