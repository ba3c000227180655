import * as fs from 'node:fs';
import { FileSender } from '../../src/content/file-sender';
import type { TestApp } from './app';

/**
 * How many files whose path matches `name` are open in the given processes (`self`: this one, where
 * the test's server runs; undefined ones skipped), from their /proc/<pid>/fd links. A process gone, or
 * a file closed, while they are read counts none.
 */
export function openFiles(name: RegExp, ...pids: Array<number | 'self' | undefined>): number {
  let open = 0;
  for (const pid of pids) {
    if (pid === undefined) {
      continue;
    }
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // the process exited meanwhile
    }
    for (const fd of fds) {
      try {
        open += name.test(fs.readlinkSync(`/proc/${pid}/fd/${fd}`)) ? 1 : 0;
      } catch {
        // closed meanwhile (the directory listing's own among them)
      }
    }
  }
  return open;
}

/** Files open under `name` in the test's server: this process and its file sender (src/content/file-sender.ts). */
export function openInServer(t: TestApp, name: RegExp): number {
  return openFiles(name, 'self', t.server.app.get(FileSender).pid);
}
