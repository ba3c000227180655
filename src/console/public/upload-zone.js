// @ts-check
// The drop zone with a file picker, used for new courses and new versions. Every file dropped or
// picked gets a row of its own (name, progress bar, stage, result); the files go up one after the
// other. A zip already stored is not imported silently: its row offers "new version of that course"
// or "separate course". While a file is queued or going up, leaving the page asks first.
import { ApiError } from './api.js';
import { uploadCourse, uploadPath } from './client.js';
import { h, render } from './dom.js';
import { fmtBytes, plural } from './format.js';
import { guardLeaving } from './leave-guard.js';
import { errorBox, warningList } from './ui.js';

/**
 * @typedef {import('./types').Course} Course
 * @typedef {import('./types').DuplicateOf} DuplicateOf
 */

let zoneCount = 0;

/**
 * `course` (the course page) makes each file a new version of it; without, each file is a new course.
 * `onDone(course)` is called after each successful import; warnings or the error of each file are shown
 * in words in its row.
 * @param {{ course?: { id: string, title: string }, label: string, onDone?: (course: Course) => void }} opts
 */
export function uploadZone({ course, label, onDone }) {
  const path = uploadPath(course?.id);
  const input = h('input', { type: 'file', accept: '.zip,application/zip', multiple: true, class: 'visually-hidden', id: `file-${++zoneCount}` });
  const rows = h('ul', { class: 'upload-rows', 'aria-live': 'polite', 'data-testid': 'upload-rows' });
  const zone = h(
    'div',
    { class: 'dropzone' },
    h('p', {}, h('strong', {}, label)),
    h('p', {}, 'Drag SCORM zips here, or ', h('label', { for: input.id, class: 'button' }, 'choose files'), input),
  );
  /** @type {Array<() => Promise<void>>} */
  const queue = [];
  let running = false;
  /** @type {(() => void) | null} */
  let release = null;

  /** @param {File[]} files */
  function add(files) {
    if (!files.length) {
      return;
    }
    // a new choice starts afresh: rows of files that are finished (imported, refused, failed) go
    for (const row of [...rows.children]) {
      if (row instanceof HTMLElement && row.dataset.state !== 'queued' && row.dataset.state !== 'uploading') {
        row.remove();
      }
    }
    for (const file of files) {
      const row = uploadRow(file);
      rows.append(row.el);
      if (!/\.zip$/i.test(file.name)) {
        row.refused(`“${file.name}” is not a .zip file. A SCORM package is a zip with imsmanifest.xml inside.`);
        continue;
      }
      queue.push(() => row.send(path));
    }
    void drain();
  }

  async function drain() {
    if (running) {
      return;
    }
    running = true;
    release ??= guardLeaving('A course upload is not finished: leaving this page stops it.');
    zone.classList.add('busy');
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        await next();
      }
    } finally {
      running = false;
      zone.classList.remove('busy');
      release?.();
      release = null;
    }
  }

  /**
   * One file's row: its own bar, stage line and result.
   * @param {File} file
   */
  function uploadRow(file) {
    const bar = h('progress', { max: '100', value: '0', 'aria-label': `Upload progress of ${file.name}` });
    const pct = h('span', { class: 'pct' }, '0 %');
    const stage = h('span', { class: 'stage' }, 'Waiting…');
    const result = h('div', { class: 'upload-result' });
    const el = h(
      'li',
      { class: 'upload-row', 'data-state': 'queued', 'data-file': file.name, 'data-testid': 'upload-row' },
      h('p', { class: 'upload-file' }, h('strong', {}, file.name), h('span', { class: 'muted' }, ` ${fmtBytes(file.size)}`)),
      h('div', { class: 'progress', 'data-testid': 'upload-progress' }, bar, pct, stage),
      result,
    );

    /** @param {number} v 0..100 */
    function show(v) {
      bar.value = v;
      pct.textContent = `${v} %`;
    }

    /** @param {string} state */
    function setState(state) {
      el.dataset.state = state;
    }

    /** @param {string} message */
    function refused(message) {
      setState('refused');
      bar.hidden = true;
      pct.hidden = true;
      stage.textContent = 'Not uploaded.';
      render(result, h('div', { class: 'alert error', role: 'alert', 'data-testid': 'upload-error' }, message));
    }

    /** @param {string} target where to send it (from client.js uploadPath()) */
    async function send(target) {
      setState('uploading');
      bar.hidden = false;
      pct.hidden = false;
      show(0);
      stage.textContent = 'Uploading…';
      render(result);
      try {
        const course = await uploadCourse(target, file, (f) => {
          const v = Math.round(f * 100);
          show(v);
          if (v >= 100) {
            stage.textContent = 'Uploaded; checking and unpacking the package…';
          }
        });
        show(100);
        stage.textContent = 'Done.';
        setState('imported');
        render(result, imported(course));
        onDone?.(course);
      } catch (err) {
        const duplicate = duplicateOf(err);
        if (duplicate) {
          setState('duplicate');
          stage.textContent = 'Already here: choose what to make of it.';
          render(result, duplicateChoice(err, duplicate));
          return;
        }
        setState('failed');
        stage.textContent = 'Not imported.';
        render(result, errorBox(err, { lead: 'The package was not imported: ', testid: 'upload-error' }));
      }
    }

    /**
     * The two ways on for a zip that is already a version of a course.
     * @param {unknown} err
     * @param {DuplicateOf} dup
     */
    function duplicateChoice(err, dup) {
      // on a course's page the new version is of that course, whichever course the zip came from
      const versionOf = course ?? { id: dup.courseId, title: dup.courseTitle };
      const asVersion = h('button', { type: 'button', class: 'primary' }, `New version of “${versionOf.title}”`);
      const separate = h('button', { type: 'button' }, 'Separate course');
      const skip = h('button', { type: 'button' }, 'Do not import');
      /** @param {string} target */
      const choose = (target) => {
        queue.push(() => send(target));
        void drain();
      };
      asVersion.addEventListener('click', () => choose(uploadPath(versionOf.id, 'new-version')));
      separate.addEventListener('click', () => choose(uploadPath(undefined, 'separate')));
      skip.addEventListener('click', () => {
        setState('skipped');
        stage.textContent = 'Not imported.';
        render(result, h('p', { class: 'muted' }, 'Not imported: the course already has this package.'));
      });
      return h(
        'div',
        { class: 'alert warn', 'data-testid': 'upload-duplicate' },
        h('p', {}, h('strong', {}, 'This zip is already here. '), err instanceof ApiError ? err.message.replace(/ Send it again with .*$/, '') : ''),
        h('p', {}, `Add it as a new version of “${versionOf.title}” (learners who started stay on their version), or make a separate course from it?`),
        h('div', { class: 'actions' }, asVersion, separate, skip),
      );
    }

    return { el, send, refused };
  }

  input.addEventListener('change', () => {
    add([...(input.files ?? [])]);
    input.value = '';
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    add([...(e.dataTransfer?.files ?? [])]);
  });
  return h('section', { class: 'upload', 'aria-label': label }, zone, rows);
}

/**
 * The stored version a `course_duplicate` refusal names, else null.
 * @param {unknown} err
 * @returns {DuplicateOf | null}
 */
function duplicateOf(err) {
  if (!(err instanceof ApiError) || err.code !== 'course_duplicate') {
    return null;
  }
  const dup = /** @type {{ duplicate?: DuplicateOf } | null} */ (err.body)?.duplicate;
  return dup && typeof dup.courseId === 'string' ? dup : null;
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
      ` — version ${v ? v.number : '?'}, SCORM ${v ? v.scormVersion : '?'}, ${plural(v ? v.scos.length : 0, 'SCO')}. `,
      h('a', { href: `#/courses/${encodeURIComponent(course.id)}` }, 'Open the course'),
    ),
    warnings.length ? [h('p', {}, `${plural(warnings.length, 'warning')}: the course works, but check ${warnings.length === 1 ? 'it' : 'these'}:`), warningList(warnings)] : h('p', {}, 'No warnings.'),
  );
}
