/**
 * Micro-benchmark of the server's sequencing engine run (src/sequencing/server-run.ts) on the 2004
 * bench course (fixtures/packages/seq-bench-course): CPU time per `rollUpFromScoData` call, in one
 * process, for the runs a commit makes — the first commit of a SCO attempt (no saved state yet) and
 * a terminating commit late in the course (every SCO with data, the ~33 KB saved state, the learner's
 * global objectives). Not part of `npm run bench`; run alone:
 *
 *   node -r ./bench/register.js bench/seq-rollup.ts [calls] [other/server-run.ts]
 *
 * Prints the median of five rounds (ms per call). Compare ratios within one run: the machine is
 * shared. With a second server-run.ts (e.g. another worktree's), both are measured, round by round
 * alternately, on the same inputs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileSequencing } from '../src/sequencing/compile-sequencing';
import { parseManifest } from '../src/scorm/manifest-parser';
import { PackageFiles } from '../src/scorm/package-layout';
import { rollUpFromScoData as ours, type ScoTracking } from '../src/sequencing/server-run';
import type { PlayerBootstrap } from '../src/player/bootstrap.types';
import { recordPath, RESULT_COMBINATIONS } from './sequenced-course';
import { median } from './stats';

const dir = path.join(__dirname, '..', 'fixtures', 'packages', 'seq-bench-course');
const names = fs.readdirSync(dir);
const files = new PackageFiles(
  names.map((name) => ({ name, isDirectory: false, uncompressedSize: 1, compressedSize: 1 })),
  '',
);
const compiled = compileSequencing(parseManifest(fs.readFileSync(path.join(dir, 'imsmanifest.xml')), files).manifest).sequencing;

function tracking(itemId: string, completion: string, success: string, scaled: number | undefined, ended: boolean): ScoTracking {
  return { itemId, completionStatus: completion, successStatus: success, score: scaled === undefined ? {} : { scaled: String(scaled) }, progressMeasure: null, ended };
}

function cpuMsPerCall(calls: number, fn: () => unknown): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    fn();
  }
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000 / calls;
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 200);
  const bootstrap = { sequencing: { settings: compiled, state: null }, scos: compiled.activityTree.children!.flatMap((c) => (c.children?.length ? c.children : [c])).map((c) => ({ itemId: c.id, scormType: 'sco' })) } as unknown as PlayerBootstrap;
  const steps = await recordPath(bootstrap, RESULT_COMBINATIONS[0]);
  const last = steps[steps.length - 1].state!;
  const firstCommit = [tracking(steps[0].itemId, 'incomplete', 'unknown', undefined, false)];
  const allEnded = steps.map((s) => tracking(s.itemId, s.report.completion, s.report.success, s.report.scaled, true));
  const globals = ours(compiled, allEnded, {}, last).writtenGlobals;
  const runs: Array<[string, typeof ours]> = [['this tree', ours]];
  if (process.argv[3]) {
    const other = (await import(path.resolve(process.argv[3]))) as { rollUpFromScoData: typeof ours };
    runs.push([process.argv[3], other.rollUpFromScoData]);
  }
  const noTime = (run: ReturnType<typeof ours>) => JSON.stringify(run).replace(/"lastUpdated":"[^"]*"/g, '');
  for (const [who, rollUp] of runs) {
    const run = rollUp(compiled, allEnded, globals, last);
    console.log(`${who}: root after the last ${JSON.stringify(run.root)}${noTime(run) === noTime(ours(compiled, allEnded, globals, last)) ? '' : ' — DIFFERS from this tree'}`);
  }
  const cases: Array<[string, (rollUp: typeof ours) => unknown]> = [
    ['first commit (1 SCO, no state)', (rollUp) => rollUp(compiled, firstCommit, {}, null)],
    [`terminating, 4 SCOs, ${(last.length / 1024).toFixed(0)} KB state + globals`, (rollUp) => rollUp(compiled, allEnded, globals, last)],
  ];
  for (const [name, fn] of cases) {
    const rounds = runs.map((): number[] => []);
    for (let r = 0; r < 6; r++) {
      runs.forEach(([, rollUp], i) => {
        const ms = cpuMsPerCall(calls, () => fn(rollUp));
        if (r > 0) {
          rounds[i].push(ms); // round 0 warms up
        }
      });
    }
    runs.forEach(([who], i) => console.log(`${name} — ${who}: ${median(rounds[i]).toFixed(3)} ms/call (rounds ${rounds[i].map((x) => x.toFixed(2)).join(' ')})`));
  }
}

void main();
