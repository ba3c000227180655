import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ZipFile } from 'yazl';
import type { ZipEntryInfo } from '../../src/scorm/zip.types';

/**
 * Zips the readable fixture folders of `fixtures/packages/` at test time. Output is
 * deterministic: entries sorted by name, one fixed modification time, fixed compression level, so the
 * same fixture and options give the same bytes on one machine.
 *
 * The files of `fixtures/packages/_shared/` (the test SCO script `sco.js`) are added next to each
 * package's imsmanifest.xml unless the package has its own copy, so there is one SCO script to
 * maintain. See fixtures/README.md.
 */
export const FIXTURE_PACKAGES_DIR = path.resolve(__dirname, '../../fixtures/packages');
const SHARED_DIR = path.join(FIXTURE_PACKAGES_DIR, '_shared');
const FIXED_MTIME = new Date(2020, 0, 1, 12, 0, 0);
const APPLE_DOUBLE = Buffer.from('00051607000200004d6163204f5320582020202020202020', 'hex');

export interface FixtureZipOptions {
  /** Put every entry under this top-level folder (e.g. `'course'`), like "compress folder" does. */
  topFolder?: string;
  /** Add macOS junk: a `__MACOSX/._<name>` entry for every file, and a `.DS_Store`. */
  macJunk?: boolean;
  /** Extra files, or replacements, by path relative to the fixture folder. */
  files?: Record<string, string | Buffer>;
  /** Paths (relative to the fixture folder) to leave out; a folder path drops everything under it. */
  drop?: string[];
  /** Add the `_shared` files next to imsmanifest.xml (default true). */
  shared?: boolean;
  /** Also write an explicit entry for every folder (`name/`), as many zip tools do (default false). */
  directoryEntries?: boolean;
}

export interface FixtureEntry {
  /** Entry name in the zip: forward slashes, folders end in '/'. */
  name: string;
  /** null for a folder entry. */
  data: Buffer | null;
}

/** Names of the fixture packages (folders of fixtures/packages/ except `_shared`). */
export async function listFixtures(): Promise<string[]> {
  const dirents = await fs.readdir(FIXTURE_PACKAGES_DIR, { withFileTypes: true });
  return dirents
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => d.name)
    .sort();
}

/** The entries `buildFixtureZip` would write, sorted, after applying the options. */
export async function fixtureEntries(name: string, opts: FixtureZipOptions = {}): Promise<FixtureEntry[]> {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('_') || name.startsWith('.')) {
    throw new Error(`Not a fixture package name: "${name}"`);
  }
  const dir = path.join(FIXTURE_PACKAGES_DIR, name);
  const files = new Map<string, Buffer>();
  for (const rel of await walk(dir)) {
    files.set(rel, await fs.readFile(path.join(dir, rel)));
  }
  if (files.size === 0) {
    throw new Error(`Fixture package "${name}" does not exist or is empty (${dir})`);
  }

  if (opts.shared !== false) {
    const manifest = [...files.keys()].find((f) => f === 'imsmanifest.xml') ?? [...files.keys()].find((f) => f.endsWith('/imsmanifest.xml'));
    const packageRoot = manifest ? path.posix.dirname(manifest) : '.';
    for (const rel of await walk(SHARED_DIR)) {
      const target = packageRoot === '.' ? rel : `${packageRoot}/${rel}`;
      if (!files.has(target)) {
        files.set(target, await fs.readFile(path.join(SHARED_DIR, rel)));
      }
    }
  }
  for (const [rel, content] of Object.entries(opts.files ?? {})) {
    files.set(rel, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  }
  for (const gone of opts.drop ?? []) {
    const folder = gone.endsWith('/') ? gone : `${gone}/`;
    for (const rel of [...files.keys()]) {
      if (rel === gone || rel.startsWith(folder)) {
        files.delete(rel);
      }
    }
  }
  if (opts.macJunk) {
    for (const rel of [...files.keys()]) {
      if (!rel.startsWith('__MACOSX/')) {
        const dirName = path.posix.dirname(rel);
        files.set(`__MACOSX/${dirName === '.' ? '' : `${dirName}/`}._${path.posix.basename(rel)}`, APPLE_DOUBLE);
      }
    }
    files.set('.DS_Store', Buffer.from('Bud1', 'latin1'));
  }

  const prefix = opts.topFolder ? `${opts.topFolder.replace(/\/+$/, '')}/` : '';
  const entries: FixtureEntry[] = [...files].map(([rel, data]) => ({ name: prefix + rel, data }));
  if (opts.directoryEntries) {
    const folders = new Set<string>();
    for (const e of entries) {
      const parts = e.name.split('/');
      for (let i = 1; i < parts.length; i++) {
        folders.add(`${parts.slice(0, i).join('/')}/`);
      }
    }
    for (const f of folders) {
      entries.push({ name: f, data: null });
    }
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Central-directory style descriptions of entries, as the zip reader would report them. */
export function toZipEntryInfos(entries: FixtureEntry[]): ZipEntryInfo[] {
  return entries.map((e) => ({
    name: e.name,
    isDirectory: e.data === null,
    uncompressedSize: e.data?.length ?? 0,
    compressedSize: e.data?.length ?? 0,
  }));
}

/** Zips entries deterministically (given order, fixed mtime) into a Buffer. */
export function zipEntries(entries: FixtureEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) {
    if (e.data === null) {
      zip.addEmptyDirectory(e.name, { mtime: FIXED_MTIME, mode: 0o40755 });
    } else {
      zip.addBuffer(e.data, e.name, { mtime: FIXED_MTIME, mode: 0o100644, compress: true, compressionLevel: 6 });
    }
  }
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
  zip.end();
  return done;
}

/** Zips fixtures/packages/<name>/ into a Buffer (see FixtureZipOptions). */
export async function buildFixtureZip(name: string, opts: FixtureZipOptions = {}): Promise<Buffer> {
  return zipEntries(await fixtureEntries(name, opts));
}

/** Zips fixtures/packages/<name>/ into `destFile` (its folder must exist) and returns the path. */
export async function writeFixtureZip(name: string, destFile: string, opts: FixtureZipOptions = {}): Promise<string> {
  await fs.writeFile(destFile, await buildFixtureZip(name, opts));
  return destFile;
}

async function walk(root: string, rel = ''): Promise<string[]> {
  let dirents;
  try {
    dirents = await fs.readdir(path.join(root, rel), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw err;
  }
  const out: string[] = [];
  for (const d of dirents) {
    const child = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) {
      out.push(...(await walk(root, child)));
    } else if (d.isFile()) {
      out.push(child);
    }
  }
  return out;
}
