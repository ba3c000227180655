// @ts-check
// #/courses: upload a new course, search, and the course table.
import { courseStats, listCourses, uploadPath } from './client.js';
import { h, render, field } from './dom.js';
import { fmtDate, fmtScorm } from './format.js';
import { errorBox, page } from './ui.js';
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
    uploadZone({ path: uploadPath(), label: 'Upload a new course', onDone: () => void load() }),
    h('div', { class: 'toolbar' }, field('Search courses', search)),
    list,
  );

  async function load() {
    try {
      const q = search.value.trim();
      const [courses, stats] = await Promise.all([listCourses(q), courseStats()]);
      if (!courses.length) {
        render(list, h('p', { class: 'empty' }, q ? `No course title contains “${q}”.` : 'No course yet: upload a SCORM zip above.'));
        return;
      }
      render(list, courseTable(courses, stats));
    } catch (err) {
      render(list, errorBox(err));
    }
  }
  await load();
}

/**
 * @param {Course[]} courses
 * @param {CourseStats[]} stats
 */
function courseTable(courses, stats) {
  const byCourse = new Map(stats.map((s) => [s.courseId, s]));
  return h(
    'table',
    { class: 'data', 'data-testid': 'course-table' },
    h('caption', { class: 'visually-hidden' }, 'Courses'),
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
            v && v.warnings.length ? h('span', { class: 'badge warn', title: 'Import warnings' }, `${v.warnings.length} warning(s)`) : null,
          ),
          h('td', { 'data-label': 'Learners', class: 'num' }, String(st ? st.learners : 0)),
          h('td', { 'data-label': 'Updated' }, fmtDate(c.updatedAt)),
          h('td', {}, h('a', { href: `#/learners/${encodeURIComponent(c.id)}` }, 'Learners')),
        );
      }),
    ),
  );
}
