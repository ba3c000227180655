/**
 * Child process of bench/runtime.ts: the simulated learners (the load generator), in their own
 * process so the server has a core to itself (2-core machine), as in a real deployment. Talks to the
 * parent over IPC: the parent sends a level (learner URLs and tokens), the driver answers with the
 * commit latencies and, for the completing commits, when each answer arrived.
 *
 * Each learner has its own keep-alive connection (as a browser tab would), opened during the warm-up:
 * every learner commits at least once there, so the timed phase measures steady state and not a burst
 * of new connections. (Node 20's libuv accepts ONE connection per event-loop iteration; under
 * saturation an iteration is tens of ms, so hundreds of connections opened at once wait seconds in
 * the kernel's accept queue — that was the ~5 s tail at 500 learners, see bench/runtime.ts.)
 *
 * Load models:
 * - closed: each learner has one commit in flight and sends the next as soon as the previous one is
 *   answered (no think time), so commits/s is what the server sustains at that concurrency.
 * - paced (open loop): each learner sends a commit every `intervalMs`, on schedule, whether or not the
 *   previous one was answered (it then queues on the learner's connection); latency is counted from
 *   the scheduled send time, so queueing is not hidden (no coordinated omission).
 * About one commit in ten carries 64 KB of suspend data, the rest about 2 KB (SCORM 1.2 `cmi` in
 * scorm-again's JSON form, as the player sends it). With `course` paths in the level (`BENCH_SCORM=2004`)
 * each learner commits SCORM 2004 data to the SCOs of its own path instead (its results' path:
 * bench/sequenced-course.ts `pathOf`, bench/runtime-2004.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type Body, CommitConnection } from './commit-connection';
import { newCursor, scoCommit, terminatesNext, type ScoCursor } from './runtime-2004';
import { pathOf, type PathStep } from './sequenced-course';

export interface DriverLearner {
  sub: string;
  /** The commit URL of the 1.2 course's SCO. */
  url: string;
  /** The attempt's runtime URL (`…/runtime/attempts/:id`): 2004 commits go to `<base>/scos/:itemId/commit`. */
  base: string;
  token: string;
}

export interface LevelRequest {
  type: 'level';
  label: string;
  learners: DriverLearner[];
  seconds: number;
  warmupSeconds: number;
  /** Send one completing commit per learner after the timed phase. */
  complete: boolean;
  /** Load model (default closed). */
  model?: 'closed' | 'paced';
  /** Paced model: each learner's interval between commits. */
  intervalMs?: number;
  /**
   * SCORM 2004: the SCOs a learner commits to, in the order the engine delivers them, one path per
   * result combination (bench/sequenced-course.ts `recordPaths`); learner i follows `pathOf(course, i)`.
   */
  course?: PathStep[][];
}

export interface LevelResult {
  type: 'result';
  label: string;
  commits: number;
  /** Every request sent, warm-up and completing commits included (for CPU per request). */
  requests: number;
  errors: number;
  firstError?: string;
  /** Commits answered 200 but not applied (stale or after the session's Terminate): a driver bug if any. */
  notApplied: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Learners none of whose commits was answered within the timed phase (starved). */
  starved: number;
  /** learner sub → Date.now() when the completing commit's answer arrived. */
  doneAt: Record<string, number>;
  /** Paced model: commits scheduled in the timed phase (offered load). */
  offered?: number;
  /** Paced model: scheduled commits still unanswered 10 s after the timed phase. */
  unanswered?: number;
  /** Connections opened during the timed phase (0 when the warm-up opened them all). */
  newConnections: number;
  /** This driver's CPU time over the level, warm-up included (ms). */
  driverCpuMs: number;
  /** The driver's own event-loop delay over the level (ms): a late driver adds to every latency it measures. */
  driverLoopP99: number;
  driverLoopMax: number;
}

interface Learner extends DriverLearner {
  target: URL;
  /** Path of the attempt's runtime URL (2004). */
  runtimePath: string;
  seq: number;
  /** 2004: the learner's path (its results') and where it is in it. */
  path?: PathStep[];
  sco: ScoCursor;
  /** One keep-alive connection per learner, like a browser tab (bench/commit-connection.ts). */
  conn: CommitConnection;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

const BIG = 'S'.repeat(64 * 1024);
const SMALL = 'x'.repeat(2000);
/** The suspend data's constant part, encoded once (JSON needs no escaping for it). */
const BIG_BYTES = Buffer.from(BIG);
const SMALL_BYTES = Buffer.from(SMALL);

/** The learner's next commit (path and body): the 1.2 SCO's, or the 2004 path's (terminating when `final`, or when its SCO session is over). */
function nextCommit(l: Learner, big: boolean, final: boolean): { path: string; body: Body } {
  if (!l.path) {
    return { path: l.target.pathname, body: cmi(l, big, final) };
  }
  l.seq++;
  return scoCommit(l.runtimePath, l.path, l.sco, l.seq, (big ? BIG : SMALL) + l.seq, final || terminatesNext(l.sco), final);
}

/**
 * A 1.2 commit's body, `{ session, seq, terminate, cmi: { suspend_data, core, interactions, objectives } }`
 * in JSON, as parts: the suspend data's constant part is the encoded {@link BIG_BYTES} or
 * {@link SMALL_BYTES}, followed by the commit number (so each commit's data differs).
 */
function cmi(l: Learner, big: boolean, final: boolean): Body {
  l.seq++;
  const core = {
    lesson_status: final ? 'completed' : 'incomplete',
    lesson_location: `page-${l.seq}`,
    exit: final ? '' : 'suspend',
    session_time: '00:00:05',
    score: final ? { raw: String(50 + (l.seq % 50)), min: '0', max: '100' } : { raw: '', min: '', max: '' },
  };
  return [
    `{"session":1,"seq":${l.seq},"terminate":${final},"cmi":{"suspend_data":"`,
    big ? BIG_BYTES : SMALL_BYTES,
    `${l.seq}","core":${JSON.stringify(core)},"interactions":[],"objectives":[]}}`,
  ];
}

let notApplied = 0;
/**
 * Each learner's last commit number, kept across levels: a bench that runs the same learners again
 * (content --beside-runtime) must go on numbering, or the server ignores every commit as a replay.
 */
const lastSeq = new Map<string, number>();

/** POSTs one commit; resolves with the latency from `started` (the scheduled time in the paced model). */
async function post(l: Learner, { path, body }: { path: string; body: Body }, started = performance.now()): Promise<number> {
  const { status, body: text } = await l.conn.post(path, body);
  if (status !== 200) {
    throw new Error(`commit answered ${status} ${text.slice(0, 200)}`);
  }
  if (text.includes('"applied":false')) {
    notApplied++;
  }
  return performance.now() - started;
}

async function level(req: LevelRequest): Promise<LevelResult> {
  const cpu = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const learners: Learner[] = req.learners.map((l, i) => ({
    ...l,
    target: new URL(l.url),
    runtimePath: new URL(l.base).pathname,
    seq: lastSeq.get(l.base) ?? 0,
    path: req.course && pathOf(req.course, i),
    sco: newCursor(),
    conn: new CommitConnection(new URL(l.url).hostname, Number(new URL(l.url).port), [`Authorization: Bearer ${l.token}`, 'Content-Type: application/json']),
  }));
  notApplied = 0;
  let errors = 0;
  let requests = 0;
  let starved = 0;
  let firstError: string | undefined;
  const failed = (e: unknown) => {
    errors++;
    firstError ??= (e as Error).message;
  };
  const closedPhase = async (seconds: number, latencies: number[] | null) => {
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      learners.map(async (l) => {
        let mine = 0;
        // At least one commit each, so the warm-up opens every learner's connection.
        do {
          try {
            requests++;
            const ms = await post(l, nextCommit(l, l.seq % 10 === 9, false));
            latencies?.push(ms);
            mine++;
          } catch (e) {
            if (latencies) {
              failed(e);
            }
          }
        } while (performance.now() < until);
        if (latencies && mine === 0) {
          starved++;
        }
      }),
    );
  };
  let offered = 0;
  let unanswered = 0;
  /** Open loop: learner i sends at t0 + (i / n + k) * interval, k = 0, 1, …, until the phase ends. */
  const pacedPhase = async (seconds: number, latencies: number[] | null) => {
    const interval = req.intervalMs ?? 50;
    const t0 = performance.now() + 20;
    const until = t0 + seconds * 1000;
    const inFlight: Promise<void>[] = [];
    const answered = new Set<Promise<void>>();
    const mine = learners.map(() => 0);
    await Promise.all(
      learners.map(async (l, i) => {
        for (let at = t0 + (i / learners.length) * interval; at < until; at += interval) {
          const wait = at - performance.now();
          if (wait > 0) {
            await new Promise((r) => setTimeout(r, wait));
          }
          requests++;
          if (latencies) {
            offered++;
          }
          const p: Promise<void> = post(l, nextCommit(l, l.seq % 10 === 9, false), at).then(
            (ms) => {
              latencies?.push(ms);
              mine[i]++;
              answered.add(p);
            },
            (e: unknown) => {
              answered.add(p);
              if (latencies) {
                failed(e);
              }
            },
          );
          inFlight.push(p);
        }
      }),
    );
    await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 10_000))]);
    if (latencies) {
      unanswered = inFlight.filter((p) => !answered.has(p)).length;
      starved = mine.filter((m) => m === 0).length;
    }
  };
  const paced = req.model === 'paced';
  if (paced) {
    await pacedPhase(req.warmupSeconds, null);
  } else {
    await closedPhase(req.warmupSeconds, null);
  }
  const latencies: number[] = [];
  const openedBefore = learners.reduce((n, l) => n + l.conn.opened, 0);
  const started = performance.now();
  if (paced) {
    await pacedPhase(req.seconds, latencies);
  } else {
    await closedPhase(req.seconds, latencies);
  }
  // Paced: the window is the schedule's (the answers of its last commits may arrive after it).
  const elapsed = paced ? req.seconds : (performance.now() - started) / 1000;
  const newConnections = learners.reduce((n, l) => n + l.conn.opened, 0) - openedBefore;
  const doneAt: Record<string, number> = {};
  if (req.complete) {
    await Promise.all(
      learners.map(async (l) => {
        try {
          // 1.2: one completing commit. 2004: the SCO's terminating commit, then each SCO left in the path.
          do {
            requests++;
            await post(l, nextCommit(l, false, true));
          } while (l.path && l.sco.step < l.path.length);
          doneAt[l.sub] = Date.now();
        } catch (e) {
          failed(e);
        }
      }),
    );
  }
  for (const l of learners) {
    l.conn.destroy();
    lastSeq.set(l.base, l.seq);
  }
  latencies.sort((a, b) => a - b);
  const used = process.cpuUsage(cpu);
  loop.disable();
  return {
    type: 'result',
    driverCpuMs: (used.user + used.system) / 1000,
    driverLoopP99: loop.percentile(99) / 1e6,
    driverLoopMax: loop.max / 1e6,
    label: req.label,
    commits: latencies.length,
    requests,
    starved,
    errors,
    firstError,
    notApplied,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    doneAt,
    newConnections,
    ...(paced ? { offered, unanswered } : {}),
  };
}

process.on('message', (msg: LevelRequest | { type: 'exit' }) => {
  if (msg.type === 'exit') {
    process.exit(0);
  }
  if (msg.type === 'level') {
    void level(msg).then((r) => process.send?.(r));
  }
});
process.send?.({ type: 'ready' });
