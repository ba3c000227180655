import { PackageError } from '../common/errors';
import { BOMB_MIN_ENTRY_BYTES, ZipPolicy, type CentralRecord } from './zip-policy';
import type { ZipLimits } from './zip.types';

// The policy on plain central-directory records: no zip file, no yauzl. The same faults built as
// real zips go through the reader in zip-reader.spec.ts and through the upload in courses.e2e-spec.ts.

const LIMITS: ZipLimits = { maxEntries: 10, maxUnpackedBytes: 10 * BOMB_MIN_ENTRY_BYTES, maxCompressionRatio: 100 };
const UNIX = 3 << 8;
const MSDOS = 0;

interface Rec extends CentralRecord {
  name: string;
}

/** Records laid out one after another (30-byte local header, 10-byte name), like an honest zip. */
function layout(specs: Array<Partial<Rec> & { name: string }>): { records: Rec[]; fileSize: number } {
  let offset = 0;
  const records = specs.map((spec) => {
    const size = spec.uncompressedSize ?? (spec.name.endsWith('/') ? 0 : 100);
    const rec: Rec = {
      generalPurposeBitFlag: 0,
      compressionMethod: 0,
      versionMadeBy: UNIX,
      externalFileAttributes: (spec.name.endsWith('/') ? 0o040755 : 0o100644) << 16,
      compressedSize: size,
      uncompressedSize: size,
      relativeOffsetOfLocalHeader: offset,
      ...spec,
    };
    offset = Math.max(offset, rec.relativeOffsetOfLocalHeader + 40 + rec.compressedSize);
    return rec;
  });
  return { records, fileSize: offset + 1000 };
}

function check(specs: Array<Partial<Rec> & { name: string }>, limits = LIMITS, fileSize?: number): string[] {
  const built = layout(specs);
  const policy = new ZipPolicy<Rec>(limits, built.records.length);
  for (const r of built.records) {
    policy.add(r, r.name);
  }
  return policy.finish(fileSize ?? built.fileSize).map((c) => c.info.name);
}

function refusal(run: () => unknown): PackageError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(PackageError);
    return err as PackageError;
  }
  throw new Error('expected a refusal');
}

describe('ZipPolicy', () => {
  it('accepts an ordinary package, normalising names and dropping a "./" root entry', () => {
    expect(
      check([{ name: './' }, { name: 'imsmanifest.xml' }, { name: 'media/', uncompressedSize: 0 }, { name: 'win\\page.html', versionMadeBy: MSDOS }]),
    ).toEqual(['imsmanifest.xml', 'media/', 'win/page.html']);
  });

  it.each<[string, Array<Partial<Rec> & { name: string }>, string, string]>([
    ['control character in a name', [{ name: 'a\u0007b.html' }], 'zip_unsafe_path', '"a\\u0007b.html"'],
    ['traversal', [{ name: '../x.html' }], 'zip_unsafe_path', '"../x.html"'],
    ['encrypted flag', [{ name: 's.html', generalPurposeBitFlag: 0x1 }], 'zip_encrypted', '"s.html"'],
    ['strong encryption flag', [{ name: 's.html', generalPurposeBitFlag: 0x40 }], 'zip_encrypted', '"s.html"'],
    ['AES method 99', [{ name: 's.html', compressionMethod: 99 }], 'zip_encrypted', '"s.html"'],
    ['symlink mode', [{ name: 'link', externalFileAttributes: 0o120777 << 16 }], 'zip_symlink', 'symbolic link'],
    ['FIFO mode', [{ name: 'fifo', externalFileAttributes: 0o010644 << 16 }], 'zip_symlink', 'device, pipe or socket'],
    ['bzip2 method', [{ name: 'x.js', compressionMethod: 12 }], 'zip_unsupported_compression', 'method 12'],
    ['folder with data', [{ name: 'media/', uncompressedSize: 5 }], 'zip_size_mismatch', '"media/"'],
    ['stored sizes differ', [{ name: 'x.js', compressedSize: 10, uncompressedSize: 100 }], 'zip_size_mismatch', '"x.js"'],
    ['exact duplicate', [{ name: 'a.js' }, { name: 'a.js' }], 'zip_duplicate_entry', 'twice'],
    ['NFC and NFD spellings', [{ name: 'caf\u00e9.js' }, { name: 'cafe\u0301.js' }], 'zip_duplicate_entry', 'as "café.js" and'],
    ['file and folder of one name', [{ name: 'media' }, { name: 'media/a.mp4' }], 'zip_duplicate_entry', 'both as a file and as a folder'],
    [
      'large entry over the ratio',
      [{ name: 'bomb.bin', compressionMethod: 8, compressedSize: 1000, uncompressedSize: BOMB_MIN_ENTRY_BYTES }],
      'zip_bomb',
      '"bomb.bin"',
    ],
    ['overlapping entries', [{ name: 'a.bin' }, { name: 'b.bin', relativeOffsetOfLocalHeader: 10 }], 'zip_bomb', 'share the same bytes'],
  ])('refuses %s with %s, naming it', (_label, specs, code, fragment) => {
    const err = refusal(() => check(specs));
    expect(err.code).toBe(code);
    expect(err.message).toContain(fragment);
  });

  it('lets a small entry compress far beyond the ratio (text does), but counts it in the whole archive', () => {
    const small = { compressionMethod: 8, compressedSize: 10, uncompressedSize: BOMB_MIN_ENTRY_BYTES - 1 };
    expect(check([{ name: 'a.txt', ...small }])).toEqual(['a.txt']);
    const err = refusal(() =>
      check([
        { name: 'a.txt', ...small },
        { name: 'b.txt', ...small },
      ]),
    );
    expect(err.code).toBe('zip_bomb');
    expect(err.message).toContain('MAX_COMPRESSION_RATIO');
  });

  it('refuses by the declared count before any record, and by the records themselves', () => {
    expect(refusal(() => new ZipPolicy<Rec>(LIMITS, 11)).code).toBe('zip_too_many_entries');
    const { records } = layout(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.js` })));
    const policy = new ZipPolicy<Rec>(LIMITS, 3); // an end record that understates the count
    const err = refusal(() => records.forEach((r) => policy.add(r, r.name)));
    expect(err.code).toBe('zip_too_many_entries');
  });

  it('refuses a declared total over the limit at the entry that passes it', () => {
    const limits = { ...LIMITS, maxUnpackedBytes: 250 };
    const err = refusal(() => check([{ name: 'a.bin' }, { name: 'b.bin' }, { name: 'c.bin' }], limits));
    expect(err.code).toBe('zip_too_large_unpacked');
    expect(err.message).toContain('"c.bin"');
  });

  it('refuses entry data that runs past the end of the file', () => {
    const err = refusal(() => check([{ name: 'a.bin', uncompressedSize: 5000 }], LIMITS, 1000));
    expect(err.code).toBe('zip_truncated');
    expect(err.message).toContain('"a.bin"');
  });

  it('reads attributes as a Unix mode only when a Unix host made the entry', () => {
    expect(check([{ name: 'a.html', versionMadeBy: MSDOS, externalFileAttributes: 0o120777 << 16 }])).toEqual(['a.html']);
  });
});
