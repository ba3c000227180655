/**
 * The runtime bench's load, shared by bench/runtime.ts and bench/content.ts (commits measured while
 * course files are served): the driver child process (bench/runtime-driver.ts), one level run in it
 * with the server's CPU time, the bench LMS registered as a platform, and learners opened on the
 * player as a launch would open them.
 */
import { fork, ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { TestApp } from '../test/support/app';
import type { AgsPlatform } from '../test/support/ags-platform';
import { launchContext, openPlayer, type BootstrapJson } from '../test/support/player-entry';
import { DataSource } from 'typeorm';
import { PlatformsService } from '../src/platforms/platforms.service';
import type { RunningServer } from '../src/server';
import type { DriverLearner, LevelRequest, LevelResult } from './runtime-driver';
import { ownCpuMs } from './proc-cpu';
import { fmtProbe, startProbe, type ProbeFigures } from './server-probe';

const SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

export type Measured = LevelResult & { serverCpuMs: number; probe?: ProbeFigures };

/** Starts the load generator in its own process (the server keeps a core) and waits until it is ready. */
export async function startDriver(): Promise<ChildProcess> {
  const child = fork(path.join(__dirname, 'runtime-driver.ts'), [], {
    execArgv: ['-r', path.join(__dirname, 'register.js')],
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`runtime driver exited early (${code})`)));
  });
  return child;
}

/**
 * Runs one level in the driver; also measures the server's CPU time over the level: this process's
 * (the server in-process), or what `serverCpuMs` reads (servers in processes of their own). With
 * `probe` (the server, in this process): its commit times, event-loop delay, SQLite commits and GC
 * over the level, warm-up included (bench/server-probe.ts).
 */
export function runLevel(child: ChildProcess, req: LevelRequest, serverCpuMs: () => number = ownCpuMs, probe?: RunningServer): Promise<Measured> {
  let cpu = 0;
  let probing: ReturnType<typeof startProbe> | undefined;
  return new Promise((resolve, reject) => {
    const onMessage = (m: LevelResult) => {
      if (m.type === 'result' && m.label === req.label) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve({ ...m, serverCpuMs: serverCpuMs() - cpu, probe: probing?.stop() });
      }
    };
    const onExit = (code: number | null) => reject(new Error(`runtime driver exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(req);
    // From after the send: serializing the request (the 2004 paths' engine states, ~4 MB) is the bench's work, not the server's.
    cpu = serverCpuMs();
    probing = probe && startProbe(probe.contentServer, probe.app.get(DataSource));
  });
}

/** Server CPU per commit (warm-up included on both sides) is robust to other load on the machine. */
export const fmt = (r: Measured) =>
  (r.offered !== undefined ? `offered ${(r.offered / r.seconds).toFixed(0)} commits/s, achieved ` : '') +
  `${r.commits} commits in ${r.seconds.toFixed(1)} s = ${r.perSecond.toFixed(0).padStart(5)} commits/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(0)} ms, errors ${r.errors}, learners never answered ${r.starved}, ` +
  (r.notApplied ? `answered but NOT APPLIED ${r.notApplied}, ` : '') +
  (r.unanswered ? `unanswered after 10 s ${r.unanswered}, ` : '') +
  (r.newConnections ? `connections opened in timed phase ${r.newConnections}, ` : '') +
  `server CPU ${((1000 * r.serverCpuMs) / r.requests).toFixed(0)} µs/commit`;

/**
 * Where the latency goes (an indented line to print under {@link fmt}'s): the driver's own loop delay
 * and CPU (a late or saturated driver adds to every latency it measures), and with a probe the
 * server's commit time, loop delay and GC (bench/server-probe.ts).
 */
export const fmtWhere = (r: Measured) =>
  `    driver: event-loop delay p99 ${r.driverLoopP99.toFixed(1)} ms, max ${r.driverLoopMax.toFixed(0)} ms, CPU ${((1000 * r.driverCpuMs) / r.requests).toFixed(0)} µs/commit` +
  (r.probe ? `\n    server: ${fmtProbe(r.probe)}` : '');

/**
 * Registers the bench LMS (an AGS emulator) as a platform of the app; returns a function opening learners
 * on a course (`opened` sees each learner's bootstrap).
 */
export async function benchLearners(
  t: TestApp,
  lms: AgsPlatform,
  courseId: string,
  ags: boolean,
): Promise<(n: number, opened?: (b: BootstrapJson) => void) => Promise<DriverLearner[]>> {
  const platform = await t.server.app.get(PlatformsService, { strict: false }).create({
    name: 'bench LMS',
    issuer: lms.url,
    clientId: 'bench-client',
    authorizationEndpoint: `${lms.url}/auth`,
    tokenEndpoint: lms.tokenEndpoint,
    jwksUri: `${lms.url}/jwks`,
    deploymentIds: ['dep-1'],
  });
  const lineitem = lms.ags.addLineItem();
  return async (n, opened) => {
    const learners: DriverLearner[] = [];
    for (let i = 0; i < n; i++) {
      const ctx = launchContext(courseId, {
        platformId: platform.id,
        issuer: lms.url,
        clientId: 'bench-client',
        ...(ags ? { ags: { scope: [SCORE], lineitem } } : {}),
      });
      const { bootstrap: b } = await openPlayer(t, ctx);
      opened?.(b);
      const base = `${t.contentUrl}${b.runtimeBase}`;
      learners.push({ sub: ctx.sub, url: `${base}/scos/${encodeURIComponent(b.startItemId)}/commit`, base, token: b.token });
    }
    return learners;
  };
}

/**
 * Completing commits: for each, the time from its answer to the emulator accepting the final score
 * (`Completed`, `FullyGraded`: a 2004 learner who failed the pre-test is `FullyGraded` but `InProgress`
 * before its closing commits), waiting up to 15 s.
 */
export async function timesToScore(lms: AgsPlatform, level: LevelResult): Promise<number[]> {
  const doneAt = new Map(Object.entries(level.doneAt));
  const deadline = Date.now() + 15_000;
  const arrived = new Map<string, number>();
  while (arrived.size < doneAt.size && Date.now() < deadline) {
    for (const r of lms.ags.scoreRequests()) {
      const sub = r.score.userId as string;
      if (r.status === 200 && r.score.gradingProgress === 'FullyGraded' && r.score.activityProgress === 'Completed' && doneAt.has(sub) && !arrived.has(sub)) {
        arrived.set(sub, r.at - doneAt.get(sub)!);
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return [...arrived.values()];
}

/** The final score (`Completed`, `FullyGraded`) the emulator last accepted for each learner of a level, by sub. */
export function finalScoresBySub(lms: AgsPlatform, level: LevelResult): Map<string, number> {
  const last = new Map<string, number>();
  for (const r of lms.ags.scoreRequests()) {
    const sub = r.score.userId as string;
    if (r.status === 200 && r.score.gradingProgress === 'FullyGraded' && r.score.activityProgress === 'Completed' && sub in level.doneAt) {
      last.set(sub, r.score.scoreGiven as number);
    }
  }
  return last;
}

/** The final scores the emulator accepted for the learners of a level: "score ×count, …". */
export function finalScores(lms: AgsPlatform, level: LevelResult): string {
  const counts = new Map<string, number>();
  for (const v of finalScoresBySub(lms, level).values()) {
    counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  }
  return [...counts].map(([v, n]) => `${v} ×${n}`).join(', ') || 'none';
}
