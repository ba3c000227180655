import * as fs from 'node:fs';
import * as path from 'node:path';
import { CaseReplay, LearnerStore } from './replay';

/**
 * `npm run conformance -- [folder]`: replays every CTS case folder under `folder` (default
 * ../shared/adl-cts/cases) in natural name order for one learner, prints `PASS|FAIL <case> — <why>`
 * per case and `N passed, M failed`, and exits 1 on any failure (docs/sequencing.md).
 */
function main(): void {
  const folder = path.resolve(process.argv[2] ?? path.join('..', 'shared', 'adl-cts', 'cases'));
  if (!fs.existsSync(folder)) {
    console.error(`No such folder: ${folder} (usage: npm run conformance -- <folder of case folders>)`);
    process.exit(2);
  }
  const cases = fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.readdirSync(path.join(folder, d.name)).some((f) => f.endsWith('.properties')))
    .map((d) => d.name)
    .sort(new Intl.Collator('en', { numeric: true }).compare);
  if (cases.length === 0) {
    console.error(`No case folders (with a .properties script) under ${folder}`);
    process.exit(2);
  }
  const store = new LearnerStore();
  let passed = 0;
  let failed = 0;
  const started = Date.now();
  for (const name of cases) {
    let line: string;
    try {
      const r = CaseReplay.fromFolder(path.join(folder, name), store).run();
      line = `${r.passed ? 'PASS' : 'FAIL'} ${name} — ${r.why}`;
      if (r.passed) {
        passed++;
      } else {
        failed++;
      }
    } catch (err) {
      failed++;
      line = `FAIL ${name} — replay error: ${(err as Error).message}`;
    }
    console.log(line);
  }
  console.log(`${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.exit(failed > 0 ? 1 : 0);
}

main();
