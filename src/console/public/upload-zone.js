// @ts-check
// The drop zone with a file picker and a progress bar, used for new courses and new versions.
import { uploadCourse } from './client.js';
import { h, render } from './dom.js';
import { fmtBytes } from './format.js';
import { errorBox, warningList } from './ui.js';

/** @typedef {import('./types').Course} Course */

/**
 * `onDone(course)` is called after a successful import; warnings or the error are shown in words below
 * the bar.
 * @param {{ path: string, label: string, onDone?: (course: Course) => void }} opts `path` from client.js uploadPath()
 */
export function uploadZone({ path, label, onDone }) {
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

  /** @param {number} v 0..100 */
  function show(v) {
    bar.value = v;
    pct.textContent = `${v} %`;
  }

  /** @param {File | undefined} file */
  async function send(file) {
    if (!file) {
      return;
    }
    if (!/\.zip$/i.test(file.name)) {
      render(
        result,
        h('div', { class: 'alert error', role: 'alert' }, `"${file.name}" is not a .zip file. A SCORM package is a zip with imsmanifest.xml inside.`),
      );
      return;
    }
    progress.hidden = false;
    show(0);
    stage.textContent = `Uploading ${file.name} (${fmtBytes(file.size)})…`;
    render(result);
    zone.classList.add('busy');
    try {
      const course = await uploadCourse(path, file, (f) => {
        const v = Math.round(f * 100);
        show(v);
        if (v >= 100) {
          stage.textContent = 'Uploaded; checking and unpacking the package…';
        }
      });
      show(100);
      stage.textContent = 'Done.';
      render(result, imported(course));
      onDone?.(course);
    } catch (err) {
      stage.textContent = 'Not imported.';
      render(result, errorBox(err, { lead: 'The package was not imported: ', testid: 'upload-error' }));
    } finally {
      zone.classList.remove('busy');
      input.value = '';
    }
  }

  input.addEventListener('change', () => void send(input.files?.[0]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    void send(e.dataTransfer?.files[0]);
  });
  return h('section', { class: 'upload', 'aria-label': label }, zone, progress, result);
}

/** What was imported, and its warnings in words. @param {Course} course */
function imported(course) {
  const v = course.currentVersion;
  const warnings = v?.warnings ?? [];
  return h(
    'div',
    { class: `alert ${warnings.length ? 'warn' : 'ok'}`, 'data-testid': 'upload-ok' },
    h(
      'p',
      {},
      h('strong', {}, `Imported “${course.title}”`),
      ` — version ${v ? v.number : '?'}, SCORM ${v ? v.scormVersion : '?'}, ${v ? v.scos.length : 0} SCO(s). `,
      h('a', { href: `#/courses/${encodeURIComponent(course.id)}` }, 'Open the course'),
    ),
    warnings.length ? [h('p', {}, `${warnings.length} warning(s): the course works, but check these:`), warningList(warnings)] : h('p', {}, 'No warnings.'),
  );
}
