import { html } from '../../common/html';
import { toolPage, ToolPage } from '../protocol/tool-page';

/** A course as the picker shows it. */
export interface PickerCourse {
  id: string;
  title: string;
  /** The package's description (its manifest's), null when it has none. */
  description: string | null;
  versionNumber: number | null;
  scormVersion: string | null;
  /** '2nd'…'4th' for SCORM 2004. */
  edition: string | null;
  scoCount: number;
}

export interface PickerPageInput {
  action: string;
  session: string;
  courses: PickerCourse[];
  multiple: boolean;
  /** The LMS course the links go into (`context.title`), when the LMS said. */
  contextTitle: string | null;
  /** The LMS's own name (`tool_platform.name`), else the registration's name. */
  lmsName: string;
}

/**
 * The Deep Linking course picker (DL §2) in the console's look: a search box filtering the list in the
 * page (`course-picker.js`, no framework, nothing inline), each course with its description, version,
 * SCORM version and SCO count; checkboxes when the LMS accepts several items, radio buttons when one.
 * The form posts to `/lti/deep-linking/respond` with the signed session.
 */
export function pickerPage(p: PickerPageInput): ToolPage {
  const kind = p.multiple ? 'checkbox' : 'radio';
  const items = p.courses.map((c) => {
    const search = `${c.title} ${c.description ?? ''}`.toLowerCase();
    const meta = [c.versionNumber === null ? null : `Version ${c.versionNumber}`, scormLabel(c.scormVersion, c.edition), c.scoCount === 1 ? '1 SCO' : `${c.scoCount} SCOs`].filter(
      (x): x is string => x !== null,
    );
    return html`<li class="picker-item" data-search="${search}">
<input type="${kind}" name="course_id" value="${c.id}" id="c-${c.id}" aria-describedby="d-${c.id} m-${c.id}">
<div class="picker-body"><label for="c-${c.id}" class="picker-title">${c.title}</label>
${c.description ? html`<p class="picker-desc" id="d-${c.id}">${c.description}</p>` : html`<p class="picker-desc muted" id="d-${c.id}">No description in this package.</p>`}
<p class="picker-meta" id="m-${c.id}">${meta.map((m) => html`<span class="badge">${m}</span>`)}</p></div></li>\n`;
  });
  const count = p.courses.length === 1 ? '1 course' : `${p.courses.length} courses`;
  return toolPage(
    p.contextTitle ? `Add a SCORM course to ${p.contextTitle}` : 'Add a SCORM course',
    html`<h1>Add a SCORM course</h1>
<p class="crumbs">${p.contextTitle ? html`to <strong data-context>${p.contextTitle}</strong> in ` : 'in '}<span data-lms>${p.lmsName}</span>${p.multiple ? ' · you may choose several' : ''}</p>
<form method="post" action="${p.action}"><input type="hidden" name="session" value="${p.session}">
${
  p.courses.length
    ? html`<div class="toolbar"><div class="field"><label for="picker-search">Search courses</label>
<input type="search" id="picker-search" autocomplete="off" aria-controls="picker-list" aria-describedby="picker-count"></div>
<p id="picker-count" class="muted" aria-live="polite">${count}</p></div>
<fieldset class="picker"><legend class="visually-hidden">Courses</legend><ul class="picker-list" id="picker-list">
${items}</ul></fieldset>
<p id="picker-none" class="empty" hidden>No course matches your search.</p>`
    : html`<p class="empty">No course has been imported yet.</p>`
}
<p id="picker-error" class="alert error" role="alert" hidden>Select a course, or press Cancel.</p>
<p class="actions"><button type="submit" name="action" value="add" class="primary">${p.multiple ? 'Add selected' : 'Add course'}</button> <button type="submit" name="action" value="cancel">Cancel</button></p></form>`,
    'course-picker',
  );
}

/** "SCORM 1.2", "SCORM 2004 4th edition". */
function scormLabel(version: string | null, edition: string | null): string | null {
  if (!version) {
    return null;
  }
  return `SCORM ${version}${edition ? ` ${edition} edition` : ''}`;
}
