/**
 * Request lines (one per course file at `LOG_LEVEL=log`) gathered while one turn of the event loop
 * runs and written to stdout together when it ends, rather than one `write` each: writing them one
 * by one cost about as much CPU as serving a small file (docs/performance.md, "Request lines"). Like
 * nginx's `access_log … buffer=`, but the wait is one loop turn, not a timer.
 *
 * Order is kept: every other line the logger writes, on stdout or stderr, first writes what is
 * gathered (`flushLines`), and so does the process's `exit` (a fatal error's exit too). Only a kill
 * that gives the process no last turn (`kill -9`, out of memory) loses the lines of the turn it cut.
 */
let pending: string[] = [];
let pendingChars = 0;
let scheduled = false;
let exitHooked = false;

/** More than this many characters (about as many bytes for log lines) are written at once rather than held until the turn ends. */
const MOST_HELD_CHARS = 64 * 1024;

/** Holds `text` (one or more whole lines) until the current turn of the event loop ends. */
export function queueLine(text: string): void {
  pending.push(text);
  pendingChars += text.length;
  if (pendingChars > MOST_HELD_CHARS) {
    flushLines();
  } else if (!scheduled) {
    scheduled = true;
    setImmediate(endOfTurn);
  }
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', flushLines);
  }
}

/** Writes what is held, now. */
export function flushLines(): void {
  if (pending.length === 0) {
    return;
  }
  const text = pending.length === 1 ? pending[0] : pending.join('');
  pending = [];
  pendingChars = 0;
  process.stdout.write(text);
}

function endOfTurn(): void {
  scheduled = false;
  flushLines();
}
