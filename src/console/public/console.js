// The console (issue 5): one page on the app origin, pages as #/ routes. No framework, no build step.
// Course content never runs here: a preview opens the player on the content origin in a new tab.
import { api, ApiError, setCsrf, uploadPackage } from './api.js';
import { h, render, fmtDate, fmtDuration, fmtBytes, fmtScore, field } from './dom.js';
import { completionChart } from './chart.js';
import { LMS_NOTES } from './lms-notes.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOutButton = document.getElementById('sign-out');
const toastEl = document.getElementById('toast');
let signedIn = false;

function toast(message) {
  toastEl.textContent = message;
  toastEl.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => toastEl.classList.remove('show'), 4000);
}

function errorText(err) {
  return err instanceof ApiError ? err.message : 'Something went wrong; reload the page and try again.';
}

function errorBox(err) {
  return h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, 'Error: '), errorText(err), err instanceof ApiError && err.code ? h('code', { class: 'code' }, err.code) : null);
}

/** Sets the page title and moves focus to the new heading, so keyboard and screen reader users follow. */
function page(title, ...children) {
  document.title = `${title} – SCORM LTI bridge`;
  const heading = h('h1', { tabindex: '-1' }, title);
  render(main, heading, ...children);
  heading.focus({ preventScroll: true });
}

function copyButton(value, label) {
  const btn = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${label}` }, 'Copy');
  btn.addEventListener('click', async () => {
    btn.dataset.copied = value;
    try {
      await navigator.clipboard.writeText(value);
      btn.textContent = 'Copied';
      toast(`${label} copied to the clipboard.`);
    } catch {
      btn.textContent = 'Select and copy';
      toast('The browser did not allow copying; select the text and copy it.');
    }
    setTimeout(() => (btn.textContent = 'Copy'), 2000);
  });
  return btn;
}

function copyRow(label, value) {
  return h('div', { class: 'copy-row' }, h('dt', {}, label), h('dd', {}, h('code', { class: 'value' }, value), copyButton(value, label)));
}

// ---------------------------------------------------------------------------------------------- sign in

function signInPage(message) {
  nav.hidden = true;
  signOutButton.hidden = true;
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'polite' }, message ? h('div', { class: 'alert info' }, message) : null);
  const form = h(
    'form',
    { class: 'card narrow', novalidate: true },
    field('Admin token', input, 'The ADMIN_TOKEN of this server, or the token printed in its log at first start.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!input.value.trim()) {
      render(status, h('div', { class: 'alert error', role: 'alert' }, 'Enter the admin token.'));
      input.focus();
      return;
    }
    try {
      const s = await api('POST', '/console/session', { token: input.value });
      setCsrf(s.csrfToken);
      signedIn = true;
      input.value = '';
      if (!location.hash || location.hash === '#/signin') location.hash = '#/courses';
      else route();
    } catch (err) {
      render(status, errorBox(err));
      input.select();
    }
  });
  page('Sign in', h('p', {}, 'Upload SCORM courses, connect them to your LMS and follow learners and grades.'), form);
  input.focus();
}

signOutButton.addEventListener('click', async () => {
  try {
    await api('DELETE', '/console/session');
  } catch {
    // signed out either way: the cookie is cleared by the answer
  }
  signedIn = false;
  setCsrf('');
  location.hash = '#/signin';
  signInPage('You are signed out.');
});

window.addEventListener('console:signed-out', () => {
  if (signedIn) {
    signedIn = false;
    signInPage('Your session has ended; sign in again.');
  }
});

// ---------------------------------------------------------------------------------------------- upload

/**
 * A drop zone with a file picker and a progress bar. `onDone(course)` is called after a successful
 * import; warnings or the error are shown in words below the bar.
 */
function uploadZone({ path, label, onDone }) {
  const input = h('input', { type: 'file', accept: '.zip,application/zip', class: 'visually-hidden', id: `file-${path.replace(/\W+/g, '-')}` });
  const bar = h('progress', { max: '100', value: '0', 'aria-label': 'Upload progress' });
  const pct = h('span', { class: 'pct' }, '0 %');
  const stage = h('span', { class: 'stage' }, '');
  const progress = h('div', { class: 'progress', hidden: true, 'data-testid': 'upload-progress' }, bar, pct, stage);
  const result = h('div', { class: 'upload-result', 'aria-live': 'polite' });
  const zone = h(
    'div',
    { class: 'dropzone' },
    h('p', {}, h('strong', {}, label)),
    h('p', {}, 'Drag a SCORM zip here, or ', h('label', { for: input.id, class: 'button' }, 'choose a file'), input),
  );

  async function send(file) {
    if (!file) return;
    if (!/\.zip$/i.test(file.name)) {
      render(result, h('div', { class: 'alert error', role: 'alert' }, `"${file.name}" is not a .zip file. A SCORM package is a zip with imsmanifest.xml inside.`));
      return;
    }
    progress.hidden = false;
    bar.value = 0;
    pct.textContent = '0 %';
    stage.textContent = `Uploading ${file.name} (${fmtBytes(file.size)})…`;
    render(result);
    zone.classList.add('busy');
    try {
      const course = await uploadPackage(path, file, (f) => {
        const v = Math.round(f * 100);
        bar.value = v;
        pct.textContent = `${v} %`;
        if (v >= 100) stage.textContent = 'Uploaded; checking and unpacking the package…';
      });
      bar.value = 100;
      pct.textContent = '100 %';
      stage.textContent = 'Done.';
      const v = course.currentVersion;
      const warnings = (v && v.warnings) || [];
      render(
        result,
        h(
          'div',
          { class: `alert ${warnings.length ? 'warn' : 'ok'}`, 'data-testid': 'upload-ok' },
          h('p', {}, h('strong', {}, `Imported “${course.title}”`), ` — version ${v ? v.number : '?'}, SCORM ${v ? v.scormVersion : '?'}, ${v ? v.scos.length : 0} SCO(s). `, h('a', { href: `#/courses/${encodeURIComponent(course.id)}` }, 'Open the course')),
          warnings.length
            ? [
                h('p', {}, `${warnings.length} warning(s): the course works, but check these:`),
                h('ul', { class: 'warnings' }, warnings.map((w) => h('li', {}, w.message, w.path ? h('span', { class: 'muted' }, ` (${w.path})`) : null))),
              ]
            : h('p', {}, 'No warnings.'),
        ),
      );
      onDone && onDone(course);
    } catch (err) {
      stage.textContent = 'Not imported.';
      render(result, h('div', { class: 'alert error', role: 'alert', 'data-testid': 'upload-error' }, h('strong', {}, 'The package was not imported: '), errorText(err), err.code ? h('code', { class: 'code' }, err.code) : null));
    } finally {
      zone.classList.remove('busy');
      input.value = '';
    }
  }

  input.addEventListener('change', () => send(input.files[0]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    send(e.dataTransfer.files[0]);
  });
  return h('section', { class: 'upload', 'aria-label': label }, zone, progress, result);
}

// ---------------------------------------------------------------------------------------------- courses

async function coursesPage() {
  const search = h('input', { type: 'search', name: 'search', placeholder: 'Title contains…' });
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading courses…'));
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  });
  page(
    'Courses',
    uploadZone({ path: '/api/courses', label: 'Upload a new course', onDone: () => load() }),
    h('div', { class: 'toolbar' }, field('Search courses', search)),
    list,
  );

  async function load() {
    try {
      const q = search.value.trim();
      const [courses, stats] = await Promise.all([api('GET', `/api/courses${q ? `?search=${encodeURIComponent(q)}` : ''}`), api('GET', '/api/course-stats')]);
      const byCourse = new Map(stats.map((s) => [s.courseId, s]));
      if (!courses.length) {
        render(list, h('p', { class: 'empty' }, q ? `No course title contains “${q}”.` : 'No course yet: upload a SCORM zip above.'));
        return;
      }
      render(
        list,
        h(
          'table',
          { class: 'data', 'data-testid': 'course-table' },
          h('caption', { class: 'visually-hidden' }, 'Courses'),
          h('thead', {}, h('tr', {}, ['Title', 'SCORM', 'SCOs', 'Version', 'Learners', 'Updated', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            courses.map((c) => {
              const v = c.currentVersion;
              const st = byCourse.get(c.id);
              return h(
                'tr',
                {},
                h('th', { scope: 'row' }, h('a', { href: `#/courses/${encodeURIComponent(c.id)}` }, c.title)),
                h('td', { 'data-label': 'SCORM' }, v ? `${v.scormVersion}${v.edition ? ` (${v.edition})` : ''}` : '—'),
                h('td', { 'data-label': 'SCOs', class: 'num' }, v ? String(v.scos.length) : '0'),
                h('td', { 'data-label': 'Version', class: 'num' }, v ? `v${v.number}` : '—', v && v.warnings.length ? h('span', { class: 'badge warn', title: 'Import warnings' }, `${v.warnings.length} warning(s)`) : null),
                h('td', { 'data-label': 'Learners', class: 'num' }, String(st ? st.learners : 0)),
                h('td', { 'data-label': 'Updated' }, fmtDate(c.updatedAt)),
                h('td', {}, h('a', { href: `#/learners/${encodeURIComponent(c.id)}` }, 'Learners')),
              );
            }),
          ),
        ),
      );
    } catch (err) {
      render(list, errorBox(err));
    }
  }
  await load();
}

function itemTree(items) {
  if (!items || !items.length) return null;
  return h(
    'ul',
    { class: 'tree' },
    items.map((it) =>
      h(
        'li',
        {},
        h('span', { class: 'item-title' }, it.title || it.identifier),
        it.scormType ? h('span', { class: `badge ${it.scormType}` }, it.scormType.toUpperCase()) : it.children.length ? h('span', { class: 'badge' }, 'section') : null,
        it.isVisible === false ? h('span', { class: 'badge muted' }, 'hidden') : null,
        it.launchUrl ? h('code', { class: 'muted small' }, it.launchUrl) : null,
        itemTree(it.children),
      ),
    ),
  );
}

async function courseDetailPage(id) {
  render(main, h('p', { class: 'muted' }, 'Loading the course…'));
  let c;
  let config;
  try {
    [c, config] = await Promise.all([api('GET', `/api/courses/${encodeURIComponent(id)}`), api('GET', '/lti/config')]);
  } catch (err) {
    page('Course', errorBox(err), h('p', {}, h('a', { href: '#/courses' }, 'Back to the courses')));
    return;
  }
  const v = c.currentVersion;
  const previewStatus = h('div', { 'aria-live': 'polite' });
  const previewButton = h('button', { type: 'button', class: 'primary' }, 'Preview as a test learner');
  previewButton.addEventListener('click', async () => {
    // Open the tab now (inside the click), then send it to the player once the server answers.
    const win = window.open('about:blank', '_blank');
    if (win) win.opener = null;
    render(previewStatus, h('p', { class: 'muted' }, 'Starting the preview…'));
    try {
      const p = await api('POST', `/api/courses/${encodeURIComponent(id)}/preview`);
      if (win) win.location.href = p.url;
      render(previewStatus, h('p', { class: 'muted' }, win ? 'The preview opened in a new tab (content origin; nothing is sent to any gradebook).' : 'Your browser blocked the new tab: ', win ? null : h('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer' }, 'open the preview')));
    } catch (err) {
      if (win) win.close();
      render(previewStatus, errorBox(err));
    }
  });
  const targetLink = config.targetLinkUriTemplate.replace('{courseId}', encodeURIComponent(c.id));
  page(
    c.title,
    h('p', { class: 'crumbs' }, h('a', { href: '#/courses' }, 'Courses'), ' / ', c.title),
    h(
      'div',
      { class: 'actions' },
      previewButton,
      h('a', { class: 'button', href: `#/learners/${encodeURIComponent(c.id)}` }, 'Learners & grades'),
    ),
    previewStatus,
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Current version'),
      v
        ? h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Version'), h('dd', {}, `v${v.number} — ${v.originalFilename}`),
            h('dt', {}, 'SCORM'), h('dd', {}, `${v.scormVersion}${v.edition ? ` (${v.edition})` : ''}`),
            h('dt', {}, 'SCOs'), h('dd', {}, String(v.scos.length)),
            h('dt', {}, 'Files'), h('dd', {}, `${v.fileCount} files, ${fmtBytes(v.unpackedBytes)} unpacked`),
            h('dt', {}, 'Uploaded'), h('dd', {}, fmtDate(v.createdAt)),
          )
        : h('p', {}, 'No version.'),
      v && v.warnings.length ? [h('h3', {}, 'Import warnings'), h('ul', { class: 'warnings' }, v.warnings.map((w) => h('li', {}, w.message, w.path ? h('span', { class: 'muted' }, ` (${w.path})`) : null)))] : null,
      h('dl', { class: 'copy-list' }, copyRow('Target link URI', targetLink)),
    ),
    gradingCard(c),
    h('section', { class: 'card' }, h('h2', {}, 'Items'), itemTree(c.items) || h('p', {}, 'No items.')),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Versions'),
      h('p', { class: 'muted' }, 'Learners who started an attempt stay on their version; new attempts use the newest.'),
      h(
        'table',
        { class: 'data' },
        h('thead', {}, h('tr', {}, ['Version', 'File', 'SCORM', 'SCOs', 'Warnings', 'Uploaded'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          (c.versions || []).map((ver) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, `v${ver.number}`, v && ver.id === v.id ? h('span', { class: 'badge ok' }, 'current') : null),
              h('td', { 'data-label': 'File' }, ver.originalFilename, h('span', { class: 'muted' }, ` ${fmtBytes(ver.packageBytes)}`)),
              h('td', { 'data-label': 'SCORM' }, ver.scormVersion),
              h('td', { 'data-label': 'SCOs', class: 'num' }, String(ver.scoCount)),
              h('td', { 'data-label': 'Warnings', class: 'num' }, String(ver.warningCount)),
              h('td', { 'data-label': 'Uploaded' }, fmtDate(ver.createdAt)),
            ),
          ),
        ),
      ),
      uploadZone({ path: `/api/courses/${encodeURIComponent(c.id)}/versions`, label: 'Upload a new version', onDone: () => setTimeout(() => courseDetailPage(id), 1500) }),
    ),
  );
}

/** How the course's results become LMS grades (PATCH /api/courses/:id gradePolicy). */
function gradingCard(c) {
  const p = c.gradePolicy;
  const status = h('div', { 'aria-live': 'polite' });
  const max = h('input', { id: 'policy-max', type: 'number', min: '1', step: 'any', required: true, value: String(p.scoreMaximum) });
  const attempts = h(
    'select',
    { id: 'policy-attempts' },
    [
      ['highest', 'The best attempt'],
      ['latest', 'The latest attempt'],
      ['first', 'The first attempt'],
    ].map(([value, label]) => h('option', { value, selected: p.attempts === value }, label)),
  );
  const credit = h('input', { id: 'policy-credit', type: 'checkbox', checked: p.completionEarnsFullCredit });
  const form = h(
    'form',
    { class: 'policy' },
    h('div', { class: 'field' }, h('label', { for: 'policy-max' }, 'Points in the LMS gradebook'), max),
    h('div', { class: 'field' }, h('label', { for: 'policy-attempts' }, 'Grade sent when a learner has several attempts'), attempts),
    h('div', { class: 'field check' }, credit, h('label', { for: 'policy-credit' }, 'A course completed without a score earns full points')),
    h('button', { type: 'submit', class: 'primary' }, 'Save grading'),
    status,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('PATCH', `/api/courses/${encodeURIComponent(c.id)}`, {
        gradePolicy: { scoreMaximum: Number(max.value), attempts: attempts.value, completionEarnsFullCredit: credit.checked },
      });
      render(status, h('p', { class: 'muted' }, 'Saved. It applies to every result from now on.'));
      toast('Grading saved.');
    } catch (err) {
      render(status, errorBox(err));
    }
  });
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Grading'),
    h('p', { class: 'muted' }, 'Completion and score reach the LMS gradebook as an LTI score; a passed or failed course with a score sends that score.'),
    form,
  );
}

// ---------------------------------------------------------------------------------------------- connect

const PLATFORM_FIELDS = [
  ['name', 'Name', 'text', 'Shown in this console, e.g. "University Moodle".'],
  ['issuer', 'Issuer (Platform ID)', 'url', 'The iss of the LMS, e.g. https://moodle.example.edu'],
  ['clientId', 'Client ID', 'text', 'Given by the LMS when you add the tool.'],
  ['authorizationEndpoint', 'LMS authentication request URL (OIDC auth endpoint)', 'url', ''],
  ['tokenEndpoint', 'LMS access token URL', 'url', ''],
  ['jwksUri', 'LMS public keyset URL (JWKS)', 'url', ''],
  ['tokenAudience', 'Token audience (optional)', 'text', 'Only if the LMS names one (Brightspace).'],
];

function platformForm(existing, onSaved, onCancel) {
  const inputs = {};
  const fields = PLATFORM_FIELDS.map(([key, label, type, hint]) => {
    inputs[key] = h('input', { type, name: key, required: key !== 'tokenAudience', value: existing ? existing[key] ?? '' : '', autocomplete: 'off', spellcheck: 'false' });
    return field(label, inputs[key], hint);
  });
  inputs.deploymentIds = h('textarea', { name: 'deploymentIds', rows: '2', spellcheck: 'false' });
  inputs.deploymentIds.value = existing ? existing.deploymentIds.join('\n') : '';
  const status = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card platform-form', novalidate: true },
    h('h3', {}, existing ? `Edit “${existing.name}”` : 'Add an LMS by hand'),
    h('div', { class: 'grid' }, fields, field('Deployment IDs', inputs.deploymentIds, 'One per line; the LMS shows it after the tool is deployed.')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, existing ? 'Save changes' : 'Add platform'), onCancel ? h('button', { type: 'button', onclick: onCancel }, 'Cancel') : null),
    status,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    for (const [key] of PLATFORM_FIELDS) body[key] = inputs[key].value.trim();
    if (!body.tokenAudience) body.tokenAudience = null;
    body.deploymentIds = inputs.deploymentIds.value.split(/[\s,]+/).filter(Boolean);
    try {
      const saved = existing ? await api('PATCH', `/api/platforms/${encodeURIComponent(existing.id)}`, body) : await api('POST', '/api/platforms', body);
      toast(`Platform “${saved.name}” saved.`);
      onSaved(saved);
    } catch (err) {
      render(status, errorBox(err));
    }
  });
  return form;
}

async function connectPage() {
  render(main, h('p', { class: 'muted' }, 'Loading…'));
  let config;
  let courses;
  try {
    [config, courses] = await Promise.all([api('GET', '/lti/config'), api('GET', '/api/courses')]);
  } catch (err) {
    page('Connect an LMS', errorBox(err));
    return;
  }
  const platformsBox = h('div', { 'aria-live': 'polite' });
  const formBox = h('div');
  const showAddForm = () => render(formBox, platformForm(null, () => { showAddForm(); loadPlatforms(); }));

  async function loadPlatforms() {
    try {
      const platforms = await api('GET', '/api/platforms');
      if (!platforms.length) {
        render(platformsBox, h('p', { class: 'empty' }, 'No LMS registered yet. Use Dynamic Registration, or add one by hand below.'));
        return;
      }
      render(
        platformsBox,
        h(
          'table',
          { class: 'data', 'data-testid': 'platform-table' },
          h('thead', {}, h('tr', {}, ['Name', 'Issuer', 'Client ID', 'Deployments', 'Registered', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            platforms.map((p) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, p.name),
                h('td', { 'data-label': 'Issuer' }, h('code', {}, p.issuer)),
                h('td', { 'data-label': 'Client ID' }, h('code', {}, p.clientId)),
                h('td', { 'data-label': 'Deployments' }, p.deploymentIds.length ? p.deploymentIds.join(', ') : h('span', { class: 'muted' }, 'none (any)')),
                h('td', { 'data-label': 'Registered' }, `${p.registeredBy === 'dynamic' ? 'Dynamic' : 'By hand'}, ${fmtDate(p.createdAt)}`),
                h(
                  'td',
                  { class: 'row-actions' },
                  h('button', { type: 'button', 'aria-label': `Edit ${p.name}`, onclick: () => { render(formBox, platformForm(p, () => { showAddForm(); loadPlatforms(); }, showAddForm)); formBox.querySelector('input').focus(); } }, 'Edit'),
                  h('button', {
                    type: 'button',
                    class: 'danger',
                    'aria-label': `Remove ${p.name}`,
                    onclick: async () => {
                      if (!window.confirm(`Remove “${p.name}”? Launches from this LMS will stop working until it is registered again.`)) return;
                      try {
                        await api('DELETE', `/api/platforms/${encodeURIComponent(p.id)}`);
                        toast(`Platform “${p.name}” removed.`);
                        loadPlatforms();
                      } catch (err) {
                        render(platformsBox, errorBox(err));
                      }
                    },
                  }, 'Remove'),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      render(platformsBox, errorBox(err));
    }
  }

  page(
    'Connect an LMS',
    h('p', {}, 'Add this tool to your LMS as an LTI 1.3 (LTI Advantage) tool. The quickest way is Dynamic Registration: paste one URL into the LMS and approve. Otherwise copy the values below into the LMS, then register the LMS here.'),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Dynamic Registration'),
      h('dl', { class: 'copy-list' }, copyRow('Dynamic Registration URL', config.dynamicRegistrationUrl)),
    ),
    h(
      'section',
      { class: 'card', 'data-testid': 'config-values' },
      h('h2', {}, 'Values for manual set-up'),
      h(
        'dl',
        { class: 'copy-list' },
        copyRow('Tool URL / Target link URI', config.targetLinkUri),
        copyRow('Initiate login URL', config.loginUrl),
        copyRow('Redirect URI(s)', config.redirectUris.join('\n')),
        copyRow('Public keyset URL (JWKS)', config.jwksUrl),
        copyRow('Deep Linking URL', config.deepLinkingUrl),
        copyRow('Scopes', config.scopes.join(' ')),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Per-course links'),
      h('p', { class: 'muted' }, 'Use one of these as the link of an activity to open that course directly, or let teachers pick a course through Deep Linking.'),
      courses.length
        ? h('dl', { class: 'copy-list' }, courses.map((c) => copyRow(c.title, config.targetLinkUriTemplate.replace('{courseId}', encodeURIComponent(c.id)))))
        : h('p', { class: 'empty' }, 'No course yet.'),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Step by step'),
      LMS_NOTES.map((n) => h('details', {}, h('summary', {}, n.lms), h('ol', {}, n.steps.map((s) => h('li', {}, s))))),
    ),
    h('section', { class: 'card' }, h('h2', {}, 'Registered LMS platforms'), platformsBox),
    formBox,
  );
  showAddForm();
  await loadPlatforms();
}

// ---------------------------------------------------------------------------------------------- learners

const STATE_WORDS = {
  sent: 'Sent',
  pending: 'Pending',
  retry: 'Retrying',
  sending: 'Sending',
  failed: 'Failed',
  superseded: 'Refused by the LMS',
};

function passback(a, reload) {
  const d = a.gradeDelivery;
  if (a.preview) return h('span', { class: 'muted' }, 'Preview (never sent)');
  if (!d) return h('span', { class: 'muted' }, 'No gradebook column');
  const cls = d.state === 'sent' ? 'ok' : d.state === 'failed' || d.state === 'superseded' ? 'error' : 'warn';
  const parts = [h('span', { class: `badge ${cls}`, 'data-state': d.state }, STATE_WORDS[d.state] || d.state)];
  if (d.state === 'sent' && d.sentAt) parts.push(h('span', { class: 'muted small' }, ` ${fmtDate(d.sentAt)}`));
  if (d.lastError) parts.push(h('div', { class: 'lms-message' }, d.lastStatus ? `LMS answered ${d.lastStatus}: ` : '', d.lastError));
  if (d.state !== 'sending') {
    const btn = h('button', { type: 'button', class: 'small', 'aria-label': `Resend the grade of ${a.learner.name || a.learner.sub}` }, 'Resend');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await api('POST', `/api/grade-deliveries/${encodeURIComponent(d.id)}/resend`);
        toast('The grade will be sent again now.');
        reload();
      } catch (err) {
        toast(errorText(err));
        btn.disabled = false;
      }
    });
    parts.push(' ', btn);
  }
  return h('div', {}, parts);
}

function csvCell(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // keep spreadsheets from running a learner's name as a formula
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(attempts) {
  const head = ['learner_sub', 'learner_name', 'learner_email', 'attempt', 'link', 'completion', 'success', 'score_percent', 'time_spent_seconds', 'started_at', 'ended_at', 'last_activity_at', 'passback_state', 'passback_message', 'preview'];
  const rows = attempts.map((a) => [
    a.learner.sub, a.learner.name, a.learner.email, a.number, a.resourceLinkTitle, a.completion, a.success,
    a.score === null ? '' : Math.round(a.score * 1000) / 10, Math.round(a.totalTimeSeconds), a.startedAt, a.endedAt, a.lastActivityAt,
    a.gradeDelivery ? a.gradeDelivery.state : '', a.gradeDelivery ? a.gradeDelivery.lastError : '', a.preview ? 'yes' : 'no',
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

async function learnersPage(courseId) {
  render(main, h('p', { class: 'muted' }, 'Loading…'));
  let courses;
  try {
    courses = await api('GET', '/api/courses');
  } catch (err) {
    page('Learners & grades', errorBox(err));
    return;
  }
  const select = h('select', { name: 'course' }, h('option', { value: '' }, courses.length ? 'Choose a course…' : 'No course yet'), courses.map((c) => h('option', { value: c.id, selected: c.id === courseId }, c.title)));
  select.addEventListener('change', () => (location.hash = select.value ? `#/learners/${encodeURIComponent(select.value)}` : '#/learners'));
  const showPreviews = h('input', { type: 'checkbox', name: 'previews', id: 'show-previews' });
  const body = h('div', { 'aria-live': 'polite' });
  const exportButton = h('button', { type: 'button', disabled: true }, 'Export CSV');
  let attempts = [];
  page(
    'Learners & grades',
    h('div', { class: 'toolbar' }, field('Course', select), h('div', { class: 'field check' }, showPreviews, h('label', { for: 'show-previews' }, 'Show previews')), exportButton),
    body,
  );
  if (!courseId) {
    render(body, h('p', { class: 'empty' }, 'Choose a course to see its learners.'));
    return;
  }
  const course = courses.find((c) => c.id === courseId);
  exportButton.addEventListener('click', () => {
    const blob = new Blob([toCsv(visible())], { type: 'text/csv;charset=utf-8' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `${(course ? course.title : 'course').replace(/[^\w.-]+/g, '_')}-attempts.csv` });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
  });
  showPreviews.addEventListener('change', draw);
  const visible = () => attempts.filter((a) => showPreviews.checked || !a.preview);

  function draw() {
    const rows = visible();
    exportButton.disabled = rows.length === 0;
    const learners = new Set(rows.filter((a) => !a.preview).map((a) => a.learner.id)).size;
    const completed = rows.filter((a) => a.completion === 'completed').length;
    const passed = rows.filter((a) => a.success === 'passed').length;
    render(
      body,
      h(
        'div',
        { class: 'summary' },
        h('div', { class: 'stat' }, h('span', { class: 'n' }, String(learners)), ' learners'),
        h('div', { class: 'stat' }, h('span', { class: 'n' }, String(rows.length)), ' attempts'),
        h('div', { class: 'stat' }, h('span', { class: 'n' }, String(completed)), ' completed'),
        h('div', { class: 'stat' }, h('span', { class: 'n' }, String(passed)), ' passed'),
      ),
      rows.length ? h('section', { class: 'card' }, h('h2', {}, 'Completions over time'), completionChart(rows)) : null,
      rows.length
        ? h(
            'table',
            { class: 'data', 'data-testid': 'attempt-table' },
            h('thead', {}, h('tr', {}, ['Learner', 'Completion', 'Success', 'Score', 'Time spent', 'Last activity', 'Grade passback'].map((t) => h('th', { scope: 'col' }, t)))),
            h(
              'tbody',
              {},
              rows.map((a) =>
                h(
                  'tr',
                  { 'data-sub': a.learner.sub },
                  h('th', { scope: 'row' }, a.learner.name || a.learner.sub, a.learner.email ? h('div', { class: 'muted small' }, a.learner.email) : null, h('div', { class: 'muted small' }, `attempt ${a.number}${a.resourceLinkTitle ? ` · ${a.resourceLinkTitle}` : ''}`)),
                  h('td', { 'data-label': 'Completion' }, a.completion),
                  h('td', { 'data-label': 'Success' }, a.success),
                  h('td', { 'data-label': 'Score', class: 'num' }, fmtScore(a.score)),
                  h('td', { 'data-label': 'Time spent', class: 'num' }, fmtDuration(a.totalTimeSeconds)),
                  h('td', { 'data-label': 'Last activity' }, fmtDate(a.lastActivityAt)),
                  h('td', { 'data-label': 'Grade passback' }, passback(a, load)),
                ),
              ),
            ),
          )
        : h('p', { class: 'empty' }, 'No learner has opened this course from an LMS yet.'),
    );
  }

  async function load() {
    try {
      attempts = await api('GET', `/api/attempts?courseId=${encodeURIComponent(courseId)}`);
      draw();
    } catch (err) {
      render(body, errorBox(err));
    }
  }
  await load();
}

// ---------------------------------------------------------------------------------------------- router

async function route() {
  const hash = location.hash || '#/courses';
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!signedIn) {
    signInPage();
    return;
  }
  nav.hidden = false;
  signOutButton.hidden = false;
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    if (a.dataset.nav === parts[0]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  switch (parts[0]) {
    case 'courses':
      return parts[1] ? courseDetailPage(parts[1]) : coursesPage();
    case 'connect':
      return connectPage();
    case 'learners':
      return learnersPage(parts[1]);
    case 'signin':
      location.hash = '#/courses';
      return undefined;
    default:
      location.hash = '#/courses';
      return undefined;
  }
}

window.addEventListener('hashchange', () => void route());

(async () => {
  try {
    const s = await api('GET', '/console/session');
    signedIn = !!s.signedIn;
    if (s.csrfToken) setCsrf(s.csrfToken);
  } catch {
    signedIn = false;
  }
  await route();
})();
