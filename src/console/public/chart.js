// @ts-check
// Completions over time as an inline SVG bar chart (no library). Built with DOM calls, never markup strings.
import { h, svg } from './dom.js';
import { plural } from './format.js';

/** @typedef {Pick<import('./types').Attempt, 'completion' | 'endedAt' | 'lastActivityAt'>} Dated */

const DAY = 86_400_000;

/**
 * Completed attempts per day (by the day the attempt ended, else its last activity), last 30 days with data.
 * @param {Dated[]} attempts
 * @returns {Array<{ day: string, count: number }>}
 */
export function completionsByDay(attempts) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const a of attempts) {
    if (a.completion !== 'completed') {
      continue;
    }
    const day = (a.endedAt || a.lastActivityAt || '').slice(0, 10);
    if (day) {
      counts.set(day, (counts.get(day) || 0) + 1);
    }
  }
  const active = attempts
    .map((a) => (a.lastActivityAt || '').slice(0, 10))
    .filter(Boolean)
    .sort();
  if (!active.length) {
    return [];
  }
  const last = Date.parse(`${active[active.length - 1]}T00:00:00Z`);
  const first = Math.max(Date.parse(`${active[0]}T00:00:00Z`), last - 29 * DAY);
  const out = [];
  for (let t = Math.min(first, last - 6 * DAY); t <= last; t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push({ day, count: counts.get(day) || 0 });
  }
  return out;
}

/** The chart, with a hidden table of the same numbers for screen readers. @param {Dated[]} attempts */
export function completionChart(attempts) {
  const data = completionsByDay(attempts);
  const total = data.reduce((n, d) => n + d.count, 0);
  const W = 640;
  const H = 160;
  const pad = { l: 28, r: 8, t: 10, b: 24 };
  const max = Math.max(1, ...data.map((d) => d.count));
  const bw = (W - pad.l - pad.r) / Math.max(1, data.length);
  /** @param {number} v */
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title' });
  chart.appendChild(svg('title', { id: 'chart-title' }, `${plural(total, 'completed attempt')} over ${plural(data.length, 'day')}`));
  chart.appendChild(svg('line', { x1: pad.l, x2: W - pad.r, y1: y(0), y2: y(0), class: 'axis' }));
  for (const v of [0, max]) {
    chart.appendChild(svg('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(v)));
  }
  data.forEach((d, i) => {
    const x = pad.l + i * bw;
    const bar = svg('rect', { x: x + bw * 0.15, y: y(d.count), width: Math.max(1, bw * 0.7), height: Math.max(0, y(0) - y(d.count)), class: 'bar' });
    bar.appendChild(svg('title', {}, `${d.day}: ${d.count} completed`));
    chart.appendChild(bar);
    if (i === 0 || i === data.length - 1 || (data.length > 10 && i % 7 === 0)) {
      chart.appendChild(svg('text', { x: x + bw / 2, y: H - 6, 'text-anchor': 'middle', class: 'tick' }, d.day.slice(5)));
    }
  });
  const table = h(
    'table',
    { class: 'visually-hidden' },
    h('caption', {}, 'Completed attempts per day'),
    h(
      'tbody',
      {},
      data.filter((d) => d.count).map((d) => h('tr', {}, h('th', { scope: 'row' }, d.day), h('td', {}, String(d.count)))),
    ),
  );
  return h('figure', { class: 'chart-box' }, chart, table, h('figcaption', { class: 'muted small' }, `${plural(total, 'completed attempt')} in the period shown.`));
}
