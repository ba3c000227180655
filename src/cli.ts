import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/app-config';
import type { ImportProgress } from './courses/course-import.service';
import { ON_DUPLICATE_CHOICES, OnDuplicate } from './courses/on-duplicate';

// The application (Nest, TypeORM, the importer) is loaded only once the arguments and the
// configuration are good, so that a usage error or --help answers at once.

const USAGE = `Usage: npm run import -- <package.zip> [--course <courseId>] [--on-duplicate new-version|separate] [--json]

Imports a SCORM 1.2 / 2004 zip into the bridge's storage and database (the same ones the
server uses: STORAGE_DIR, DATABASE_URL). With --course, the zip becomes a new version of that
course. A zip already stored (same SHA-256) is refused unless --on-duplicate says to add it as a
new version of that course or as a separate course. Prints the course and its launchable items;
exits non-zero with a message on failure.`;

interface Args {
  file: string;
  courseId?: string;
  onDuplicate: OnDuplicate;
  json: boolean;
}

/** The command line read by `node:util` parseArgs; a string is the usage (for --help) or what is wrong. */
function readArgs(argv: string[]): Args | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { course: { type: 'string' }, 'on-duplicate': { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return (err as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    return USAGE;
  }
  if (values.course === '') {
    return '--course needs a course id';
  }
  const onDuplicate = values['on-duplicate'];
  if (onDuplicate !== undefined && !(ON_DUPLICATE_CHOICES as readonly string[]).includes(onDuplicate)) {
    return '--on-duplicate must be new-version or separate';
  }
  if (positionals.length !== 1) {
    return positionals.length === 0 ? 'Name the zip file to import' : 'Name exactly one zip file';
  }
  return { file: positionals[0], courseId: values.course, onDuplicate: (onDuplicate as OnDuplicate | undefined) ?? 'refuse', json: values.json };
}

function progressPrinter(stream: NodeJS.WriteStream): (p: ImportProgress) => void {
  let lastPercent = -1;
  let lastStage = '';
  return (p) => {
    if (p.stage === 'extracting' && p.totalBytes) {
      const percent = Math.floor(((p.bytes ?? 0) / p.totalBytes) * 100);
      if (percent !== lastPercent) {
        lastPercent = percent;
        if (stream.isTTY) {
          stream.write(`\rExtracting… ${percent}%`);
        } else if (percent % 10 === 0) {
          stream.write(`Extracting… ${percent}%\n`);
        }
      }
      lastStage = p.stage;
      return;
    }
    if (lastStage === 'extracting' && stream.isTTY) {
      stream.write('\n');
    }
    lastStage = p.stage;
    stream.write(p.stage === 'checking' ? 'Checking the package…\n' : 'Saving the course…\n');
  };
}

async function main(): Promise<number> {
  const args = readArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    const isHelp = args === USAGE;
    (isHelp ? process.stdout : process.stderr).write(isHelp ? `${USAGE}\n` : `error: ${args}\n\n${USAGE}\n`);
    return isHelp ? 0 : 2;
  }
  const file = path.resolve(args.file);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    process.stderr.write(`error: no such file: ${file}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  } catch (err) {
    process.stderr.write(`Invalid configuration: ${(err as ConfigError).message}\n`);
    return 2;
  }
  config.role = 'cli';
  await import('reflect-metadata');
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const { AppError } = await import('./common/errors');
  const { CourseImportService } = await import('./courses/course-import.service');
  const { CoursesService } = await import('./courses/courses.service');
  const { AppLogger } = await import('./logging/app-logger');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: AppLogger.for(config), abortOnError: false });
  app.useLogger(app.get(AppLogger));
  try {
    const importer = app.get(CourseImportService);
    const version = await importer.import({ path: file, originalName: path.basename(file) }, args.courseId, progressPrinter(process.stderr), args.onDuplicate);
    const course = await app.get(CoursesService).toDtoForVersion(version);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(course, null, 2)}\n`);
    } else {
      const v = course.currentVersion!;
      process.stdout.write(
        `Imported "${course.title}"\n  course id:  ${course.id}\n  version:    ${v.number} (${v.id})\n  SCORM:      ${v.scormVersion}${v.edition ? ` ${v.edition} edition` : ''}\n`,
      );
      process.stdout.write(`  items:      ${v.scos.length}\n${v.scos.map((s) => `    - ${s.title} [${s.scormType}] ${s.launchUrl}`).join('\n')}\n`);
      for (const w of v.warnings) {
        process.stdout.write(`  warning: ${w.message}${w.path ? ` (${w.path})` : ''}\n`);
      }
    }
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`\nImport failed (${err.code}): ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`\nImport failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await app.close();
  }
}

void main().then((code) => process.exit(code));
