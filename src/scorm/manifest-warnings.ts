import type { ImportWarning } from './manifest.types';

/** At most this many warnings of one code are listed; the rest are counted in one summary line. */
const MAX_WARNINGS_PER_CODE = 20;

/**
 * The import warnings of one manifest read: a repeated warning is listed once, and at most
 * {@link MAX_WARNINGS_PER_CODE} of one code, so a package with a thousand missing files gives a
 * readable list.
 */
export class WarningList {
  private readonly items: ImportWarning[] = [];
  private readonly counts = new Map<string, number>();
  private readonly seen = new Set<string>();

  add(code: string, message: string, path?: string): void {
    const key = `${code}\0${message}`;
    if (this.seen.has(key)) {
      return;
    }
    this.seen.add(key);
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n <= MAX_WARNINGS_PER_CODE) {
      this.items.push(path === undefined ? { code, message } : { code, message, path });
    }
  }

  list(): ImportWarning[] {
    const out = [...this.items];
    for (const [code, n] of this.counts) {
      if (n > MAX_WARNINGS_PER_CODE) {
        out.push({ code, message: `…and ${n - MAX_WARNINGS_PER_CODE} more "${code}" warning(s) like the ones above.` });
      }
    }
    return out;
  }
}
