/**
 * CPU time of processes other than the bench's own, from /proc (Linux): the server processes of the
 * instance benches (a primary and its workers), nginx's master and workers, the PostgreSQL backends
 * serving the bench's database, and the whole machine. Figures per request made from these are less
 * sensitive to other load on a shared machine than requests per second.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Client } from 'pg';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** This process's CPU time so far (ms, user + system). */
export function ownCpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/** A process and its children (nginx's master and workers; the bridge's primary and workers). */
export function withChildren(pid: number): number[] {
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return [pid, ...children];
}

/** CPU time (ms, user + system) used so far by each process; one that is gone is left out. */
export function cpuMsByPid(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * (1000 / CLOCK_TICKS)); // utime, stime (fields 14 and 15 of the line)
    } catch {
      /* exited */
    }
  }
  return out;
}

/** CPU used between two readings (ms): a process that appeared counts from 0; one that exited meanwhile is lost. */
export function cpuMsSince(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of after) {
    ms += now - (before.get(pid) ?? 0);
  }
  return ms;
}

/** Total CPU (ms) of a process tree so far. */
export function treeCpuMs(pid: number): number {
  return [...cpuMsByPid(withChildren(pid)).values()].reduce((a, b) => a + b, 0);
}

/** Busy CPU time of the whole machine so far (ms, every core: /proc/stat less idle and iowait). */
export function machineBusyMs(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - cpu[3] - cpu[4]) * (1000 / CLOCK_TICKS);
}

/** The PostgreSQL backends of one database (its server processes), read with a connection of their own. */
export async function postgresBackends(databaseUrl: string): Promise<number[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const rows = (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows;
    return rows.map((r) => r.pid);
  } finally {
    await db.end();
  }
}
