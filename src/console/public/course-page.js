// @ts-check
// #/courses/:id: a course's current version, preview, grading, items and version history.
import { courseLink, getCourse, ltiConfig, startPreview, uploadPath } from './client.js';
import { h, render } from './dom.js';
import { fmtBytes, fmtDate, fmtScorm } from './format.js';
import { gradingCard } from './grading-card.js';
import { copyRow, errorBox, loading, page, warningList } from './ui.js';
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
  page(
    c.title,
    h('p', { class: 'crumbs' }, h('a', { href: '#/courses' }, 'Courses'), ' / ', c.title),
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
      versionTable(c),
      uploadZone({ path: uploadPath(c.id), label: 'Upload a new version', onDone: () => setTimeout(() => void courseDetailPage(id), 1500) }),
    ),
  );
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
    h('dd', {}, `${v.fileCount} files, ${fmtBytes(v.unpackedBytes)} unpacked`),
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
