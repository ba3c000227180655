/**
 * What to do with a zip whose SHA-256 matches a stored version: `refuse` (the default) answers
 * `course_duplicate` naming that version (one of the request's course if it names one, else the
 * first one stored); `new-version` imports it as a new version of that course; `separate` makes a
 * course of its own.
 */
export type OnDuplicate = 'refuse' | 'new-version' | 'separate';
export const ON_DUPLICATE_CHOICES = ['new-version', 'separate'] as const;
