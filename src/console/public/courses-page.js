// @ts-check
// #/courses: upload a new course, search, and the course table.
import { courseStats, listCourses } from './client.js';
import { h, field } from './dom.js';
import { fmtDate, fmtScorm, plural } from './format.js';
import { loadInto, page } from './ui.js';
import { uploadZone } from './upload-zone.js';

/**
 * @typedef {import('./types').Course} Course
 * @typedef {import('./types').CourseStats} CourseStats
 */

export async function coursesPage() {
  const search = h('input', { type: 'search', name: 'search', placeholder: 'Title contains…' });
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading courses…'));
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 250);
  });
  page(
    'Courses',
    uploadZone({ label: 'Upload new courses', onDone: () => void load() }),
    h('div', { class: 'toolbar' }, field('Search courses', search)),
    list,
  );

  function load() {
    const q = search.value.trim();
    return loadInto(
      list,
      () => Promise.all([listCourses(q), courseStats()]),
      ([courses, stats]) => {
        if (!courses.length) {
          return h('p', { class: 'empty' }, q ? `No course title contains “${q}”.` : 'No course yet: upload a SCORM zip above.');
        }
        const inUse = courses.filter((c) => !c.archivedAt);
        const archived = courses.filter((c) => c.archivedAt);
        return [
          inUse.length ? courseTable(inUse, stats, 'course-table', 'Courses') : h('p', { class: 'empty' }, q ? `No course in use has “${q}” in its title.` : 'Every course is archived.'),
          archived.length
            ? h(
                'section',
                { class: 'archived', 'aria-labelledby': 'archived-title' },
                h('h2', { id: 'archived-title' }, `Archived (${archived.length})`),
                h('p', { class: 'muted' }, 'Not offered by the LMS course picker, and no new licence can name them; links already in an LMS keep working.'),
                courseTable(archived, stats, 'archived-table', 'Archived courses'),
              )
            : null,
        ];
      },
    );
  }
  await load();
}

/**
 * @param {Course[]} courses
 * @param {CourseStats[]} stats
 * @param {string} testid
 * @param {string} caption
 */
function courseTable(courses, stats, testid, caption) {
  const byCourse = new Map(stats.map((s) => [s.courseId, s]));
  return h(
    'table',
    { class: 'data', 'data-testid': testid },
    h('caption', { class: 'visually-hidden' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Title', 'SCORM', 'SCOs', 'Version', 'Learners', 'Updated', ''].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
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
          h('td', { 'data-label': 'SCORM' }, v ? fmtScorm(v) : '—'),
          h('td', { 'data-label': 'SCOs', class: 'num' }, v ? String(v.scos.length) : '0'),
          h(
            'td',
            { 'data-label': 'Version', class: 'num' },
            v ? `v${v.number}` : '—',
            v && v.warnings.length ? h('span', { class: 'badge warn', title: 'Import warnings' }, plural(v.warnings.length, 'warning')) : null,
          ),
          h('td', { 'data-label': 'Learners', class: 'num' }, String(st ? st.learners : 0)),
          h('td', { 'data-label': 'Updated' }, fmtDate(c.updatedAt)),
          h('td', {}, h('a', { href: `#/learners/${encodeURIComponent(c.id)}` }, 'Learners')),
        );
      }),
    ),
  );
}
