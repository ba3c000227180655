// @ts-check
// #/courses/:id: a course's current version, preview, grading, items and version history.
import { archiveCourse, courseLink, courseStats, deleteCourse, getCourse, ltiConfig, renameCourse, startPreview, unarchiveCourse } from './client.js';
import { h, render, field } from './dom.js';
import { fmtBytes, fmtDate, fmtScorm, plural } from './format.js';
import { gradingCard } from './grading-card.js';
import { confirmedChange, copyRow, errorBox, loadInto, loading, page, toast, warningList } from './ui.js';
import { uploadZone } from './upload-zone.js';

/**
 * @typedef {import('./types').Course} Course
 * @typedef {import('./types').Version} Version
 * @typedef {import('./types').ManifestItem} ManifestItem
 */

/** @param {string} id */
export async function courseDetailPage(id) {
  loading('Loading the course…');
  let c;
  let config;
  try {
    [c, config] = await Promise.all([getCourse(id), ltiConfig()]);
  } catch (err) {
    page('Course', errorBox(err), h('p', {}, h('a', { href: '#/courses' }, 'Back to the courses')));
    return;
  }
  const v = c.currentVersion;
  const versions = h('div', { 'data-testid': 'versions' }, versionTable(c));
  page(
    c.title,
    h('p', { class: 'crumbs' }, h('a', { href: '#/courses' }, 'Courses'), ' / ', c.title),
    c.archivedAt
      ? h(
          'div',
          { class: 'alert warn', 'data-testid': 'archived-banner' },
          h('strong', {}, `Archived ${fmtDate(c.archivedAt)}. `),
          'The LMS course picker does not offer it and no new licence can name it; links already in an LMS keep working while a licence allows.',
        )
      : null,
    previewActions(c),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Current version'),
      v ? versionFacts(v) : h('p', {}, 'No version.'),
      v && v.warnings.length ? [h('h3', {}, 'Import warnings'), warningList(v.warnings)] : null,
      h('dl', { class: 'copy-list' }, copyRow('Target link URI', courseLink(config, c.id))),
    ),
    gradingCard(c),
    h('section', { class: 'card' }, h('h2', {}, 'Items'), itemTree(c.items) || h('p', {}, 'No items.')),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Versions'),
      h('p', { class: 'muted' }, 'Learners who started an attempt stay on their version; new attempts use the newest.'),
      versions,
      uploadZone({ course: c, label: 'Upload a new version', onDone: () => void refreshVersions(c.id, versions) }),
    ),
    lifecycleCard(c, () => void courseDetailPage(id)),
  );
}

/**
 * The versions table again after an upload (the upload rows stay, so several files keep their results).
 * @param {string} id
 * @param {HTMLElement} box
 */
function refreshVersions(id, box) {
  return loadInto(box, () => getCourse(id), versionTable);
}

/**
 * Rename, archive or unarchive, and delete, each saying what it does before it does it.
 * @param {Course} c
 * @param {() => void} reload shows the page again with the saved course
 */
function lifecycleCard(c, reload) {
  const status = h('div', { 'aria-live': 'polite' });
  const title = h('input', { type: 'text', name: 'title', value: c.title, maxlength: '500', required: true, autocomplete: 'off' });
  const rename = h(
    'form',
    { class: 'inline-form', novalidate: true },
    field('Title', title, 'Shown in this console and in the LMS course picker; links already in an LMS keep their own name.'),
    h('button', { type: 'submit' }, 'Rename'),
  );
  rename.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      try {
        const saved = await renameCourse(c.id, title.value.trim());
        toast(`Renamed to “${saved.title}”.`);
        reload();
      } catch (err) {
        render(status, errorBox(err));
      }
    })();
  });

  const archive = h('button', { type: 'button' }, c.archivedAt ? 'Unarchive' : 'Archive');
  archive.addEventListener('click', () => {
    void confirmedChange({
      confirm: c.archivedAt
        ? undefined
        : {
            title: `Archive “${c.title}”?`,
            body: [
              h('p', {}, 'The LMS course picker will no longer offer it, and no new licence can name it.'),
              h('p', {}, 'Links already placed in an LMS keep working while a licence allows, and learners keep their results. You can unarchive it at any time.'),
            ],
            confirm: 'Archive',
          },
      change: () => (c.archivedAt ? unarchiveCourse(c.id) : archiveCourse(c.id)),
      done: c.archivedAt ? `“${c.title}” is back in the course picker.` : `“${c.title}” is archived.`,
      after: reload,
      errorIn: status,
    });
  });

  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete…');
  remove.addEventListener('click', () => void deleteAsked(c, status));

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'manage-title' },
    h('h2', { id: 'manage-title' }, 'Manage'),
    rename,
    h('div', { class: 'actions' }, archive, remove),
    status,
  );
}

/**
 * Says what deleting removes (or why it cannot), then deletes and goes back to the list.
 * @param {Course} c
 * @param {HTMLElement} status
 */
async function deleteAsked(c, status) {
  render(status);
  let attempts = 0;
  let learners = 0;
  try {
    const stats = (await courseStats()).find((s) => s.courseId === c.id);
    attempts = stats?.attempts ?? 0;
    learners = stats?.learners ?? 0;
  } catch (err) {
    render(status, errorBox(err));
    return;
  }
  const versions = c.versions ?? [];
  if (attempts > 0) {
    render(
      status,
      h(
        'div',
        { class: 'alert error', role: 'alert', 'data-testid': 'delete-refused' },
        h('strong', {}, 'This course cannot be deleted: '),
        `${plural(attempts, 'attempt')} by ${plural(learners, 'learner')} ${attempts === 1 ? 'belongs' : 'belong'} to it, and their results would be lost. Archive it instead: it leaves the course picker and keeps every result.`,
      ),
    );
    return;
  }
  const bytes = versions.reduce((sum, v) => sum + (v.packageBytes || 0), 0);
  await confirmedChange({
    confirm: {
      title: `Delete “${c.title}”?`,
      body: [
        h('p', {}, 'This removes, for good:'),
        h(
          'ul',
          {},
          h('li', {}, `${plural(versions.length, 'version')} with all ${versions.length === 1 ? 'its' : 'their'} files (${fmtBytes(bytes)} of packages: ${versions.map((v) => `v${v.number} ${v.originalFilename}`).join(', ')})`),
          h('li', {}, 'its preview attempts, its licences and its grading settings'),
          h('li', {}, 'every LMS link to it: they will say the course no longer exists'),
        ),
        h('p', {}, 'No learner has an attempt on it. This cannot be undone.'),
      ],
      confirm: 'Delete the course',
      danger: true,
    },
    change: () => deleteCourse(c.id),
    done: `“${c.title}” was deleted.`,
    after: () => {
      location.hash = '#/courses';
    },
    errorIn: status,
    errorOpts: { testid: 'delete-refused' },
  });
}

/** The preview button (a new tab on the content origin) and the link to the learners. @param {Course} c */
function previewActions(c) {
  const previewStatus = h('div', { 'aria-live': 'polite' });
  const previewButton = h('button', { type: 'button', class: 'primary' }, 'Preview as a test learner');
  previewButton.addEventListener('click', () => {
    // Open the tab now (inside the click), then send it to the player once the server answers.
    const win = window.open('about:blank', '_blank');
    if (win) {
      win.opener = null;
    }
    void preview(win);
  });
  /** @param {Window | null} win */
  async function preview(win) {
    render(previewStatus, h('p', { class: 'muted' }, 'Starting the preview…'));
    try {
      const p = await startPreview(c.id);
      if (win) {
        win.location.href = p.url;
      }
      render(
        previewStatus,
        h(
          'p',
          { class: 'muted' },
          win ? 'The preview opened in a new tab (content origin; nothing is sent to any gradebook).' : 'Your browser blocked the new tab: ',
          win ? null : h('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer' }, 'open the preview'),
        ),
      );
    } catch (err) {
      if (win) {
        win.close();
      }
      render(previewStatus, errorBox(err));
    }
  }
  return [
    h('div', { class: 'actions' }, previewButton, h('a', { class: 'button', href: `#/learners/${encodeURIComponent(c.id)}` }, 'Learners & grades')),
    previewStatus,
  ];
}

/** @param {Version} v */
function versionFacts(v) {
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Version'),
    h('dd', {}, `v${v.number} — ${v.originalFilename}`),
    h('dt', {}, 'SCORM'),
    h('dd', {}, fmtScorm(v)),
    h('dt', {}, 'SCOs'),
    h('dd', {}, String(v.scos.length)),
    h('dt', {}, 'Files'),
    h('dd', {}, `${plural(v.fileCount, 'file')}, ${fmtBytes(v.unpackedBytes)} unpacked`),
    h('dt', {}, 'Uploaded'),
    h('dd', {}, fmtDate(v.createdAt)),
  );
}

/** @param {Course} c */
function versionTable(c) {
  const current = c.currentVersion;
  return h(
    'table',
    { class: 'data' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Version', 'File', 'SCORM', 'SCOs', 'Warnings', 'Uploaded'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      (c.versions || []).map((ver) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, `v${ver.number}`, current && ver.id === current.id ? h('span', { class: 'badge ok' }, 'current') : null),
          h('td', { 'data-label': 'File' }, ver.originalFilename, h('span', { class: 'muted' }, ` ${fmtBytes(ver.packageBytes)}`)),
          h('td', { 'data-label': 'SCORM' }, ver.scormVersion),
          h('td', { 'data-label': 'SCOs', class: 'num' }, String(ver.scoCount)),
          h('td', { 'data-label': 'Warnings', class: 'num' }, String(ver.warningCount)),
          h('td', { 'data-label': 'Uploaded' }, fmtDate(ver.createdAt)),
        ),
      ),
    ),
  );
}

/**
 * The manifest's organization as a nested list.
 * @param {ManifestItem[] | undefined} items
 * @returns {HTMLUListElement | null}
 */
function itemTree(items) {
  if (!items || !items.length) {
    return null;
  }
  return h(
    'ul',
    { class: 'tree' },
    items.map((it) =>
      h(
        'li',
        {},
        h('span', { class: 'item-title' }, it.title || it.identifier),
        it.scormType
          ? h('span', { class: `badge ${it.scormType}` }, it.scormType.toUpperCase())
          : it.children.length
            ? h('span', { class: 'badge' }, 'section')
            : null,
        it.isVisible === false ? h('span', { class: 'badge muted' }, 'hidden') : null,
        it.launchUrl ? h('code', { class: 'muted small' }, it.launchUrl) : null,
        itemTree(it.children),
      ),
    ),
  );
}
