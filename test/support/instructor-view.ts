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
