// @ts-check
// The learners page's CSV export: one row per attempt, in the order shown.
import { percent } from './format.js';

/** @typedef {import('./types').Attempt} Attempt */

const HEAD = [
  'learner_sub',
  'learner_name',
  'learner_email',
  'attempt',
  'link',
  'completion',
  'success',
  'score_percent',
  'time_spent_seconds',
  'started_at',
  'ended_at',
  'last_activity_at',
  'passback_state',
  'passback_message',
  'preview',
];

/** @param {string | number | null | undefined} v */
export function csvCell(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) {
    s = `'${s}`;
  } // keep spreadsheets from running a learner's name as a formula
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** @param {Attempt[]} attempts */
export function toCsv(attempts) {
  const rows = attempts.map((a) => [
    a.learner.sub,
    a.learner.name,
    a.learner.email,
    a.number,
    a.resourceLinkTitle,
    a.completion,
    a.success,
    a.score === null ? '' : percent(a.score),
    Math.round(a.totalTimeSeconds),
    a.startedAt,
    a.endedAt,
    a.lastActivityAt,
    a.gradeDelivery ? a.gradeDelivery.state : '',
    a.gradeDelivery ? a.gradeDelivery.lastError : '',
    a.preview ? 'yes' : 'no',
  ]);
  return [HEAD, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * Hands `text` to the browser as a download named `filename`.
 * @param {string} text
 * @param {string} filename
 */
export function downloadCsv(text, filename) {
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}
