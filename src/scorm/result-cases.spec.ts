import { initialCmi } from '../attempts/cmi-rules';
import { firstState, fullCmi, planCommit } from '../attempts/commit-plan';
import { ScoState } from '../attempts/sco-state.entity';
import { toScoreContent } from '../grades/score-policy';
import { caseManifest, playLaunch, readValue } from '../../test/support/result-case-player';
import { RESULT_CASES, type ResultCase } from '../../test/support/result-cases';
import { findItem } from './manifest-items';
import { parseManifest } from './manifest-parser';
import type { ParsedManifest } from './manifest.types';
import { PackageFiles } from './package-layout';
import { courseItems, courseResult, itemRules, launchedStatus } from './result-rules';

/**
 * The table of result cases (test/support/result-cases.ts) without a server: the case's manifest
 * through the real parser, each commit through the runtime's pure commit planning (which applies the
 * result rules), then the roll-up and the AGS score mapping, and the data of the next launch. Its twin
 * through HTTP, the database and the LMS emulator is test/e2e/result-rules.e2e-spec.ts.
 */
describe('SCORM result cases through the pure rules and the roll-up', () => {
  /** The runtime's SCO states of one attempt, kept in memory. */
  class Runtime {
    readonly states = new Map<string, ScoState>();
    launches = 0;

    constructor(
      readonly manifest: ParsedManifest,
      readonly credit: 'credit' | 'no-credit',
    ) {}

    /** What the SCO gets at launch (the state is created as a launch creates it). */
    launchSco(sco: string): Record<string, unknown> {
      const v = this.manifest.scormVersion;
      const state = this.states.get(sco) ?? this.create(sco);
      // As the SCO launch does: a 2004 SCO attempt ended by a non-suspend exit starts afresh.
      const fresh = v === '2004' && state.terminated && state.exit !== 'suspend';
      return initialCmi({
        version: v,
        item: findItem(this.manifest.items, sco),
        learnerId: 'learner-1',
        learnerName: 'Doe, Jane',
        credit: this.credit,
        mode: 'normal',
        saved: fresh ? null : fullCmi(state),
        entry: '',
        totalTimeSeconds: 0,
      });
    }

    commit(sco: string, body: { session: number; seq: number; terminate: boolean; cmi: Record<string, unknown> }): void {
      const plan = planCommit(
        this.states.get(sco) ?? this.create(sco),
        {
          v: this.manifest.scormVersion,
          rules: itemRules(findItem(this.manifest.items, sco)),
          sessionKey: `${this.launches}:${body.session}`,
          launch: this.launches,
          input: body,
        },
        false,
      ); // the launch created the row: every commit is an update
      if (plan.write === 'none') {
        throw new Error(`commit ${body.seq} of ${sco} was ignored: ${plan.outcome.reason}`);
      }
      this.states.set(sco, plan.state);
    }

    /** The row a launch creates before the SCO's first commit. */
    private create(sco: string): ScoState {
      const state = Object.assign(new ScoState(), firstState('attempt-1', sco), launchedStatus('sco'), { suspendData: null });
      this.states.set(sco, state);
      return state;
    }
  }

  async function run(c: ResultCase): Promise<Runtime> {
    const files = new PackageFiles([{ name: 'index.html', isDirectory: false, uncompressedSize: 1, compressedSize: 1 }], '');
    const runtime = new Runtime(parseManifest(Buffer.from(caseManifest(c)), files).manifest, c.credit ?? 'credit');
    for (const steps of c.launches) {
      runtime.launches += 1;
      await playLaunch(c, steps, runtime);
    }
    return runtime;
  }

  it.each(RESULT_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const runtime = await run(c);
    for (const [sco, want] of Object.entries(c.expect.scos)) {
      const s = runtime.states.get(sco);
      expect({ sco, completion: s?.completionStatus, success: s?.successStatus, score: s?.scoreScaled ?? undefined }).toEqual({
        sco,
        completion: want.completion,
        success: want.success,
        score: want.score === undefined ? undefined : expect.closeTo(want.score, 6),
      });
      const next = runtime.launchSco(sco);
      expect({ sco, read: Object.fromEntries(Object.keys(want.readBack).map((name) => [name, readValue(next, name)])) }).toEqual({ sco, read: want.readBack });
    }
    const result = courseResult(courseItems(runtime.manifest), [...runtime.states.values()]);
    expect({ completion: result.completion, success: result.success, score: result.score }).toEqual({
      ...c.expect.course,
      score: c.expect.course.score === undefined ? undefined : expect.closeTo(c.expect.course.score, 6),
    });
    if (c.expect.grade) {
      expect(toScoreContent(result)).toEqual(c.expect.grade);
    }
  });
});
