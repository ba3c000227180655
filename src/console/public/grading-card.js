// @ts-check
// The course page's "Grading" card: how the course's results become LMS grades (PATCH /api/courses/:id gradePolicy).
import { saveGradePolicy } from './client.js';
import { h, render } from './dom.js';
import { errorBox, toast } from './ui.js';

/** @typedef {import('./types').GradePolicy} GradePolicy */

/** @type {Array<[GradePolicy['attempts'], string]>} */
const ATTEMPT_CHOICES = [
  ['highest', 'The best attempt'],
  ['latest', 'The latest attempt'],
  ['first', 'The first attempt'],
];

/** @param {import('./types').Course} c */
export function gradingCard(c) {
  const p = c.gradePolicy;
  const status = h('div', { 'aria-live': 'polite' });
  const max = h('input', { id: 'policy-max', type: 'number', min: '1', step: 'any', required: true, value: String(p.scoreMaximum) });
  const attempts = h(
    'select',
    { id: 'policy-attempts' },
    ATTEMPT_CHOICES.map(([value, label]) => h('option', { value, selected: p.attempts === value }, label)),
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
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void save();
  });
  async function save() {
    try {
      await saveGradePolicy(c.id, {
        scoreMaximum: Number(max.value),
        attempts: /** @type {GradePolicy['attempts']} */ (attempts.value),
        completionEarnsFullCredit: credit.checked,
      });
      render(status, h('p', { class: 'muted' }, 'Saved. It applies to every result from now on.'));
      toast('Grading saved.');
    } catch (err) {
      render(status, errorBox(err));
    }
  }
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Grading'),
    h('p', { class: 'muted' }, 'Completion and score reach the LMS gradebook as an LTI score; a passed or failed course with a score sends that score.'),
    form,
  );
}
