// @ts-check
// How dates, durations, sizes and scores read in the console.

/** @param {string | null | undefined} iso */
export function fmtDate(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A day without the time ("Jan 31, 2027"). @param {string | number | null | undefined} when an ISO string or epoch ms */
export function fmtDay(when) {
  if (when === null || when === undefined || when === '') {
    return '—';
  }
  return new Date(when).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** @param {number | null | undefined} seconds */
export function fmtDuration(seconds) {
  const s = Math.round(seconds || 0);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return hh ? `${hh} h ${String(mm).padStart(2, '0')} min` : mm ? `${mm} min ${String(ss).padStart(2, '0')} s` : `${ss} s`;
}

/** @param {number | null | undefined} n */
export function fmtBytes(n) {
  if (!n && n !== 0) {
    return '—';
  }
  if (n < 1024) {
    return `${n} B`;
  }
  if (n < 1024 * 1024) {
    return `${(n / 1024).toFixed(1)} KB`;
  }
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A 0..1 score as a percentage with one decimal. @param {number | null | undefined} score */
export function fmtScore(score) {
  return score === null || score === undefined ? '—' : `${percent(score)} %`;
}

/** 0..1 → percent rounded to one decimal (also the CSV's score_percent). @param {number} score */
export function percent(score) {
  return Math.round(score * 1000) / 10;
}

/** "SCORM 2004 (4th Edition)" style label of a version. @param {{ scormVersion: string, edition?: string | null }} v */
export function fmtScorm(v) {
  return `${v.scormVersion}${v.edition ? ` (${v.edition})` : ''}`;
}

/**
 * A count with its noun in the right number: plural(1, 'licence') → "1 licence", plural(2, 'licence')
 * → "2 licences"; `many` for irregular plurals.
 * @param {number} n
 * @param {string} one
 * @param {string} [many]
 */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
