import { html, SafeHtml } from '../common/html';
import type { GradeDeliveryDto } from '../grades/grades-admin.service';
import type { InstructorView, LearnerRow, RosterStatus } from './instructor-view.service';

/**
 * Content-Security-Policy of the instructor view: no script at all, the console's stylesheet, forms
 * only to this origin. Framing is left to the LMS (the view opens in its iframe).
 */
export const INSTRUCTOR_VIEW_CSP = ["default-src 'none'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'", "base-uri 'none'"].join('; ');

function duration(seconds: number): string {
  if (seconds <= 0) {
    return '—';
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h ? `${h} h ${String(m).padStart(2, '0')} min` : m ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`;
}

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

function rosterNotice(r: RosterStatus): SafeHtml {
  switch (r.state) {
    case 'ok':
      return html`<p class="muted small" data-roster-state="ok">Enrolled learners from the LMS roster (Names and Roles), fetched ${when(r.fetchedAt)}; it is refreshed at most every 5 minutes when the activity is opened.</p>`;
    case 'none':
      return html`<p class="alert info" data-roster-state="none">The LMS roster is being fetched: learners who have not opened the activity yet appear after a reload.</p>`;
    case 'unavailable':
      return html`<p class="alert warn" data-roster-state="unavailable"><strong>Roster unavailable.</strong> ${r.error}
${r.fetchedAt ? html` Enrolment below is from the roster of ${when(r.fetchedAt)}.` : html` Only learners who have opened the activity are listed.`}</p>`;
    case 'no-service':
      return html`<p class="muted small" data-roster-state="no-service">The LMS did not offer its roster (Names and Roles) with this launch: only learners who have opened the activity are listed.</p>`;
  }
}

function gradebookCell(d: GradeDeliveryDto | null, linked: boolean): SafeHtml {
  if (!d) {
    return html`<span class="muted">${linked ? 'Nothing to send yet' : 'No gradebook column'}</span>`;
  }
  const score = d.payload.scoreGiven !== undefined && d.payload.scoreMaximum !== undefined ? ` ${d.payload.scoreGiven} / ${d.payload.scoreMaximum}` : '';
  switch (d.state) {
    case 'sent':
      return html`<span class="badge ok">Sent</span>${score}`;
    case 'pending':
    case 'sending':
      return html`<span class="badge">Sending</span>${score}`;
    case 'retry':
      return html`<span class="badge warn">Retrying</span> <span class="small muted">${d.lastError}</span>`;
    case 'superseded':
      return html`<span class="badge warn">Not taken</span> <span class="small muted">the LMS holds a newer grade</span>`;
    default: // failed
      return html`<span class="badge error">Failed</span> <span class="small muted">${d.lastError}</span>`;
  }
}

const PROGRESS_BADGE: Record<LearnerRow['progress'], string> = { 'Not started': '', 'In progress': 'warn', Completed: 'ok', Passed: 'ok', Failed: 'error' };

function row(l: LearnerRow, linked: boolean): SafeHtml {
  return html`<tr data-learner="${l.userId}">
<th scope="row">${l.name ?? l.userId}${l.email && html`<div class="small muted">${l.email}</div>`}</th>
<td>${l.enrolment ?? html`<span class="muted">—</span>`}</td>
<td><span class="badge ${PROGRESS_BADGE[l.progress]}" data-progress>${l.progress}</span>${l.attempts > 1 && html` <span class="small muted">${l.attempts} attempts</span>`}</td>
<td class="num">${l.score === null ? '—' : `${Math.round(l.score * 100)} %`}</td>
<td class="num">${duration(l.timeSeconds)}</td>
<td>${when(l.lastActivityAt)}</td>
<td data-gradebook>${gradebookCell(l.gradebook, linked)}</td>
</tr>`;
}

/** The instructor view page (tool origin, no script): the preview banner, then the link's learners. */
export function renderInstructorView(v: InstructorView, urls: { preview: string; self: string; expiresAt: string }): SafeHtml {
  const started = v.learners.filter((l) => l.progress !== 'Not started').length;
  const done = v.learners.filter((l) => l.progress === 'Completed' || l.progress === 'Passed').length;
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>Results: ${v.linkTitle ?? v.courseTitle}</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<header class="top"><span class="brand">SCORM LTI bridge</span><span>Instructor view</span></header>
<main>
<section class="alert warn" role="status" data-preview-banner>
<h2>Your own play of this activity is a preview</h2>
<p>When you open the course from here, nothing you do is graded or sent to the LMS gradebook, and you do not appear among the learners below.</p>
<form method="post" action="${urls.preview}"><button type="submit" class="primary">Open the course (preview)</button></form>
</section>
<h1>${v.linkTitle ?? v.courseTitle}</h1>
<p class="crumbs">${v.contextTitle && html`${v.contextTitle} · `}${v.platformName} · course “${v.courseTitle}”</p>
<section class="card">
<h2>Learners</h2>
${rosterNotice(v.roster)}
<p data-summary>${v.learners.length} ${v.learners.length === 1 ? 'learner' : 'learners'}, ${started} started, ${done} completed.</p>
${
  v.learners.length
    ? html`<table class="data" data-testid="instructor-results">
<thead><tr><th scope="col">Learner</th><th scope="col">Enrolment</th><th scope="col">Progress</th><th scope="col">Score</th><th scope="col">Time</th><th scope="col">Last activity</th><th scope="col">Gradebook</th></tr></thead>
<tbody>${v.learners.map((l) => row(l, v.gradebookLinked))}</tbody></table>`
    : html`<p class="empty">No learner has opened this activity yet.</p>`
}
</section>
<p class="muted small">This view shows this activity in this LMS course only. Its address works until ${urls.expiresAt.slice(11, 16)} UTC; after that, open the activity again from your LMS. <a href="${urls.self}">Reload</a></p>
</main>
</body></html>`;
}
