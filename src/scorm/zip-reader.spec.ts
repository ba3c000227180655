import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yazl from 'yazl';
import { PackageError } from '../common/errors';
import { HOSTILE_LIMITS, buildZip, hostileCases, noise, validEntries, writeZip } from '../../test/support/hostile-zips';
import type { ExtractOptions } from './zip-extract';
import { ZipReader } from './zip-reader';
import type { ZipLimits } from './zip.types';

const LIMITS: ZipLimits = { maxEntries: 1000, maxUnpackedBytes: 64 * 1024 * 1024, maxCompressionRatio: 100 };

let tmp: string;
beforeEach(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zip-reader-'));
});
afterEach(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

function opts(extra: Partial<ExtractOptions> = {}): ExtractOptions {
  return { stripPrefix: '', include: () => true, ...extra };
}

/** Opens the zip, runs `use` and closes it again, as one import does. */
async function withZip<T>(file: string, limits: ZipLimits, use: (zip: ZipReader) => Promise<T>): Promise<T> {
  const zip = await ZipReader.open(file, limits);
  try {
    return await use(zip);
  } finally {
    zip.close();
  }
}

async function entryNames(file: string, limits = LIMITS): Promise<string[]> {
  return withZip(file, limits, (zip) => Promise.resolve(zip.entries.map((e) => e.name)));
}

function extract(file: string, dest: string, extra: Partial<ExtractOptions> = {}, limits = LIMITS): Promise<{ files: number; bytes: number }> {
  return withZip(file, limits, (zip) => zip.extract(dest, opts(extra)));
}

async function rejection(promise: Promise<unknown>): Promise<PackageError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PackageError);
  return err as PackageError;
}

/** Every path under `dir`, relative, sorted; symlinks reported as such. */
async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const d of await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isSymbolicLink()) {
        out.push(`${p}@`);
      } else if (d.isDirectory()) {
        out.push(`${p}/`);
        await walk(p);
      } else {
        out.push(p);
      }
    }
  };
  await walk('');
  return out.sort();
}

function yazlZip(build: (zip: yazl.ZipFile) => void): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  build(zip);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

describe('ZipReader on good packages', () => {
  it('lists entries, reads the manifest and extracts files with their bytes and mode 0644', async () => {
    const media = noise(300_000, 7);
    const bytes = await yazlZip((z) => {
      z.addBuffer(Buffer.from('<manifest/>'), 'course/imsmanifest.xml');
      z.addEmptyDirectory('course/media/');
      z.addBuffer(media, 'course/media/clip.mp4', { compress: false });
      z.addBuffer(Buffer.from('a'.repeat(10_000)), 'course/js/app.js');
      z.addBuffer(Buffer.from('junk'), '__MACOSX/course/._app.js');
    });
    const file = await writeZip(tmp, 'good.zip', bytes);

    const dest = path.join(tmp, 'out', 'package');
    const progress: number[] = [];
    const result = await withZip(file, LIMITS, async (zip) => {
      const entries = zip.entries;
      expect(entries.map((e) => e.name)).toEqual([
        'course/imsmanifest.xml',
        'course/media/',
        'course/media/clip.mp4',
        'course/js/app.js',
        '__MACOSX/course/._app.js',
      ]);
      expect(entries[1].isDirectory).toBe(true);
      expect(entries[2]).toMatchObject({ isDirectory: false, uncompressedSize: 300_000, compressedSize: 300_000 });
      expect(entries[3].compressedSize).toBeLessThan(entries[3].uncompressedSize);
      // one handle serves the manifest read and the extraction
      expect((await zip.readEntry('course/imsmanifest.xml', 1000)).toString()).toBe('<manifest/>');
      return zip.extract(dest, opts({ stripPrefix: 'course/', include: (n) => n.startsWith('course/'), onProgress: (b) => progress.push(b) }));
    });
    expect(result).toEqual({ files: 3, bytes: 11 + 300_000 + 10_000 });
    expect(await listTree(dest)).toEqual(['imsmanifest.xml', 'js/', 'js/app.js', 'media/', 'media/clip.mp4']);
    expect((await fs.promises.readFile(path.join(dest, 'media/clip.mp4'))).equals(media)).toBe(true);
    expect(await fs.promises.readFile(path.join(dest, 'js/app.js'), 'utf8')).toBe('a'.repeat(10_000));
    expect((await fs.promises.stat(path.join(dest, 'js/app.js'))).mode & 0o777).toBe(0o644);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(result.bytes);
  });

  it('handles UTF-8 names, CP437 names, spaces and Windows backslashes', async () => {
    const cp437Name = Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x6a, 0x73]); // "café.js" in CP437, no UTF-8 flag
    const file = await writeZip(
      tmp,
      'names.zip',
      buildZip([
        ...validEntries(),
        { name: 'média/vidéo 1.mp4', data: 'v' },
        { name: '日本語/ファイル.html', data: 'j', method: 8 },
        { name: cp437Name, data: 'c', utf8: false },
        { name: 'win\\sub dir\\page.html', data: 'w', host: 0 },
        { name: 'A.js', data: 'upper' },
        { name: 'a.js', data: 'lower' },
      ]),
    );
    const names = await entryNames(file);
    expect(names).toEqual(['imsmanifest.xml', 'index.html', 'média/vidéo 1.mp4', '日本語/ファイル.html', 'café.js', 'win/sub dir/page.html', 'A.js', 'a.js']);
    const dest = path.join(tmp, 'x');
    await extract(file, dest);
    expect(await fs.promises.readFile(path.join(dest, 'média', 'vidéo 1.mp4'), 'utf8')).toBe('v');
    expect(await fs.promises.readFile(path.join(dest, '日本語', 'ファイル.html'), 'utf8')).toBe('j');
    expect(await fs.promises.readFile(path.join(dest, 'café.js'), 'utf8')).toBe('c');
    expect(await fs.promises.readFile(path.join(dest, 'win', 'sub dir', 'page.html'), 'utf8')).toBe('w');
    expect(await fs.promises.readFile(path.join(dest, 'a.js'), 'utf8')).toBe('lower');
    expect(await fs.promises.readFile(path.join(dest, 'A.js'), 'utf8')).toBe('upper');
  });

  it('reads bytes 0x01-0x1F of a CP437 name as the code page glyphs, and refuses them in a UTF-8 name', async () => {
    const cp437 = await writeZip(tmp, 'cp437.zip', buildZip([...validEntries(), { name: Buffer.from([0x61, 0x07, 0x62, 0x7f]), data: 'c', utf8: false }]));
    expect(await entryNames(cp437)).toContain('a•b⌂');
    const utf8 = await writeZip(tmp, 'utf8.zip', buildZip([...validEntries(), { name: Buffer.from([0x61, 0x07, 0x62]), data: 'c', utf8: true }]));
    expect((await rejection(ZipReader.open(utf8, LIMITS))).code).toBe('zip_unsafe_path');
  });

  it('accepts an empty zip (no entries) and a harmless "./" root entry', async () => {
    const empty = await writeZip(tmp, 'empty.zip', buildZip([]));
    expect(await entryNames(empty)).toEqual([]);
    const dotRoot = await writeZip(tmp, 'dot.zip', buildZip([{ name: './' }, ...validEntries()]));
    expect(await entryNames(dotRoot)).toEqual(['imsmanifest.xml', 'index.html']);
  });

  it('lets a large, incompressible stored entry through the ratio check but stops a small limit', async () => {
    const file = await writeZip(tmp, 'media.zip', buildZip([...validEntries(), { name: 'v.mp4', data: noise(2 * 1024 * 1024), method: 8 }]));
    await expect(entryNames(file)).resolves.toHaveLength(3);
    const err = await rejection(ZipReader.open(file, { ...LIMITS, maxUnpackedBytes: 1024 * 1024 }));
    expect(err.code).toBe('zip_too_large_unpacked');
    expect(err.message).toContain('"v.mp4"');
  });

  it('readEntry refuses an entry over maxBytes and a missing entry', async () => {
    const file = await writeZip(tmp, 'r.zip', buildZip(validEntries()));
    await withZip(file, LIMITS, async (zip) => {
      const err = await rejection(zip.readEntry('imsmanifest.xml', 10));
      expect(err.code).toBe('zip_entry_too_large');
      expect(err.status).toBe(422);
      expect(err.message).toContain('imsmanifest.xml');
      expect((await rejection(zip.readEntry('nope.xml', 10))).code).toBe('zip_entry_not_found');
    });
  });

  it('readEntry refuses an entry whose actual size exceeds a lying header, small or streamed', async () => {
    const file = await writeZip(
      tmp,
      'lie.zip',
      buildZip([
        { name: 'imsmanifest.xml', data: 'x'.repeat(5000), method: 8, declaredUncompressed: 10 },
        { name: 'big.xml', data: noise(400_000, 5), method: 8, declaredUncompressed: 300_000 },
      ]),
    );
    await withZip(file, LIMITS, async (zip) => {
      expect((await rejection(zip.readEntry('imsmanifest.xml', 100))).code).toBe('zip_size_mismatch');
      expect((await rejection(zip.readEntry('big.xml', 1_000_000))).code).toBe('zip_size_mismatch');
    });
  });

  it('readEntry streams an entry above the one-read size and returns its bytes', async () => {
    const big = noise(400_000, 9);
    const file = await writeZip(tmp, 'bigread.zip', buildZip([{ name: 'imsmanifest.xml', data: big, method: 8 }]));
    await withZip(file, LIMITS, async (zip) => {
      expect((await zip.readEntry('imsmanifest.xml', 1_000_000)).equals(big)).toBe(true);
    });
  });

  it('never overwrites: an existing file at a target makes extraction fail', async () => {
    const file = await writeZip(tmp, 'ok.zip', buildZip(validEntries()));
    const dest = path.join(tmp, 'pre');
    await fs.promises.mkdir(dest);
    await fs.promises.symlink('/etc/passwd', path.join(dest, 'index.html'));
    const err = await rejection(extract(file, dest));
    expect(err.code).toBe('zip_duplicate_entry');
    expect(await fs.promises.readlink(path.join(dest, 'index.html'))).toBe('/etc/passwd');
  });
});

describe('large entries (streamed, not read in one piece)', () => {
  const big = noise(600_000, 3);

  it('extracts large stored and deflated entries byte for byte', async () => {
    const file = await writeZip(tmp, 'big.zip', buildZip([...validEntries(), { name: 's.mp4', data: big }, { name: 'd.bin', data: big, method: 8 }]));
    const dest = path.join(tmp, 'big');
    await extract(file, dest);
    expect((await fs.promises.readFile(path.join(dest, 's.mp4'))).equals(big)).toBe(true);
    expect((await fs.promises.readFile(path.join(dest, 'd.bin'))).equals(big)).toBe(true);
  });

  it.each([
    ['deflated, declared smaller', { method: 8 as const, declaredUncompressed: 500_000 }, 'zip_size_mismatch'],
    ['deflated, declared larger', { method: 8 as const, declaredUncompressed: 700_000 }, 'zip_size_mismatch'],
    ['deflated, bad CRC', { method: 8 as const, crc: 1 }, 'zip_truncated'],
    ['stored, bad CRC', { crc: 1 }, 'zip_truncated'],
  ])('%s → %s', async (_label, fault, code) => {
    const file = await writeZip(tmp, 'lie.zip', buildZip([...validEntries(), { name: 'media/x.bin', data: big, ...fault }]));
    await expect(entryNames(file)).resolves.toHaveLength(3);
    const err = await rejection(extract(file, path.join(tmp, 'lie')));
    expect(err.code).toBe(code);
    expect(err.message).toContain('"media/x.bin"');
  });
});

describe('hostile zips', () => {
  for (const c of hostileCases()) {
    it(`${c.label} → ${c.code}`, async () => {
      const file = await writeZip(tmp, 'hostile.zip', c.bytes());
      const dest = path.join(tmp, 'dest');
      if (c.atExtract) {
        await expect(entryNames(file, HOSTILE_LIMITS)).resolves.toBeDefined();
        const err = await rejection(extract(file, dest, {}, HOSTILE_LIMITS));
        expect(err.code).toBe(c.code);
        expect(err.status).toBe(422);
        expect(err.message).toMatch(/"[^"]+"/);
      } else {
        // refused at open, before there is a handle that could extract anything
        const err = await rejection(ZipReader.open(file, HOSTILE_LIMITS));
        expect(err.code).toBe(c.code);
        expect(err.status).toBe(422);
        expect(fs.existsSync(dest)).toBe(false);
      }
      // nothing escaped the destination
      expect((await listTree(tmp)).filter((p) => !p.startsWith('dest'))).toEqual(['hostile.zip']);
    });
  }

  it('names the entry at fault', async () => {
    const byLabel = new Map(hostileCases().map((c) => [c.label, c]));
    const expectations: Array<[string, string]> = [
      ['dot-dot traversal', '../evil.txt'],
      ['backslash traversal', '..\\\\evil.txt'],
      ['drive letter', 'C:\\\\Windows'],
      ['symlink entry', '"link"'],
      ['encrypted flag', '"secret.html"'],
      ['exact duplicate', '"index.html"'],
      ['high-ratio entry (zip bomb)', '"bomb.bin"'],
      ['stored size smaller than data', '"big.js"'],
      ['folder entry with data', '"media/"'],
      ['control character (U+0001) in name', '"evil\\u0001.html"'],
      ['DEL in name', '"del\\u007f.html"'],
    ];
    for (const [label, fragment] of expectations) {
      const c = byLabel.get(label);
      expect(c).toBeDefined();
      const file = await writeZip(tmp, 'named.zip', c!.bytes());
      const err = await rejection(ZipReader.open(file, HOSTILE_LIMITS));
      expect(err.message).toContain(fragment);
    }
  });
});
