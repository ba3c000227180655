import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/**
 * A hand-written zip writer for tests. yazl (and every honest tool) refuses to write `../` names,
 * absolute paths, symlink attributes with lies in the sizes, and so on, so the hostile cases are
 * built byte by byte here, following APPNOTE 6.3.10 §4.3 (local header, data, central directory,
 * end of central directory). No zip64, no data descriptors.
 */
export interface RawEntry {
  /** Name as stored (a Buffer for raw CP437 bytes). */
  name: string | Buffer;
  data?: Buffer | string;
  /** 0 stored (default), 8 deflate. */
  method?: 0 | 8;
  /** Overrides of what the headers declare. */
  declaredUncompressed?: number;
  declaredCompressed?: number;
  crc?: number;
  /** Extra general-purpose flag bits (bit 0 = encrypted). UTF-8 bit 11 is set for string names unless utf8 is false. */
  flags?: number;
  utf8?: boolean;
  /** High byte of "version made by": 3 = Unix (default), 0 = MS-DOS. */
  host?: number;
  /** Unix st_mode written to the high 16 bits of the external attributes (default 0o100644 or 0o040755). */
  unixMode?: number;
  /** Point this entry's central record at another entry's local header (overlap). */
  sameDataAs?: number;
  /** Declared compression method override (e.g. 99 for AES, 12 for bzip2). */
  declaredMethod?: number;
}

export function crc32(buf: Buffer): number {
  return zlib.crc32(buf) >>> 0;
}

/** Builds zip bytes from raw entries; the sizes and attributes are written exactly as given. */
export function buildZip(entries: RawEntry[], options: { comment?: string } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e, index) => {
    const nameBuf = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const utf8 = e.utf8 ?? typeof e.name === 'string';
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const method = e.method ?? 0;
    const body = method === 8 ? zlib.deflateRawSync(data) : data;
    const flags = (e.flags ?? 0) | (utf8 ? 0x800 : 0);
    const crc = e.crc ?? crc32(data);
    const compressed = e.declaredCompressed ?? body.length;
    const uncompressed = e.declaredUncompressed ?? data.length;
    const declaredMethod = e.declaredMethod ?? method;
    const isDir = nameBuf.length > 0 && nameBuf[nameBuf.length - 1] === 0x2f;
    const mode = e.unixMode ?? (isDir ? 0o040755 : 0o100644);
    const host = e.host ?? 3;

    let localOffset = offset;
    if (e.sameDataAs !== undefined) {
      localOffset = offsets[e.sameDataAs];
    } else {
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(declaredMethod, 8);
      local.writeUInt16LE(0, 10);
      local.writeUInt16LE(0x21, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(compressed >>> 0, 18);
      local.writeUInt32LE(uncompressed >>> 0, 22);
      local.writeUInt16LE(nameBuf.length, 26);
      local.writeUInt16LE(0, 28);
      locals.push(local, nameBuf, body);
      offset += local.length + nameBuf.length + body.length;
    }
    offsets[index] = localOffset;

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((host << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(declaredMethod, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed >>> 0, 20);
    central.writeUInt32LE(uncompressed >>> 0, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt16LE(0, 30);
    central.writeUInt16LE(0, 32);
    central.writeUInt16LE(0, 34);
    central.writeUInt16LE(0, 36);
    central.writeUInt32LE(((mode & 0xffff) << 16 | (isDir ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(localOffset, 42);
    centrals.push(central, nameBuf);
  });
  const cdStart = offset;
  const cd = Buffer.concat(centrals);
  const comment = Buffer.from(options.comment ?? '');
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0, 4);
  eocd.writeUInt16LE(0, 6);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(cdStart, 16);
  eocd.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, cd, eocd, comment]);
}

const MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="hostile" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Hostile</title>
    <item identifier="i1" identifierref="r1"><title>Lesson</title></item></organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
</manifest>
`;

/** The entries of a small valid SCORM 1.2 package; hostile cases add one bad entry to these. */
export function validEntries(): RawEntry[] {
  return [
    { name: 'imsmanifest.xml', data: MANIFEST, method: 8 },
    { name: 'index.html', data: '<!doctype html><title>Lesson</title><p>Hello</p>' },
  ];
}

/** Deterministic incompressible bytes (a seeded xorshift; tests need no secure randomness). */
export function noise(bytes: number, seed = 1): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    if (i + 4 <= bytes) {
      out.writeUInt32LE(x, i);
    } else {
      for (let j = i; j < bytes; j++) {
        out[j] = (x >>> ((j - i) * 8)) & 0xff;
      }
    }
  }
  return out;
}

export interface HostileCase {
  /** Short label for test names. */
  label: string;
  /** The code ZipReader.open (or, for `atExtract`, ZipReader.extract) must reject with. */
  code: string;
  /** True when only extraction can find the problem (the headers look fine). */
  atExtract?: boolean;
  bytes: () => Buffer;
}

const MiB = 1024 * 1024;

/** Limits used with the hostile cases (small, so that the cases stay small). */
export const HOSTILE_LIMITS = { maxEntries: 100, maxUnpackedBytes: 8 * MiB, maxCompressionRatio: 100 };

/** Every hostile zip the importer must refuse, each a valid package plus one fault. */
export function hostileCases(): HostileCase[] {
  const withEntry = (e: RawEntry): (() => Buffer) => () => buildZip([...validEntries(), e]);
  const text = 'owned';
  return [
    { label: 'dot-dot traversal', code: 'zip_unsafe_path', bytes: withEntry({ name: '../evil.txt', data: text }) },
    { label: 'nested dot-dot traversal', code: 'zip_unsafe_path', bytes: withEntry({ name: 'a/b/../../../evil.txt', data: text }) },
    { label: 'backslash traversal', code: 'zip_unsafe_path', bytes: withEntry({ name: '..\\evil.txt', data: text, host: 0 }) },
    { label: 'mixed-slash traversal', code: 'zip_unsafe_path', bytes: withEntry({ name: 'a\\..\\..\\evil.txt', data: text, host: 0 }) },
    { label: 'absolute path', code: 'zip_unsafe_path', bytes: withEntry({ name: '/etc/evil.txt', data: text }) },
    { label: 'absolute backslash path', code: 'zip_unsafe_path', bytes: withEntry({ name: '\\evil.txt', data: text, host: 0 }) },
    { label: 'drive letter', code: 'zip_unsafe_path', bytes: withEntry({ name: 'C:\\Windows\\evil.txt', data: text, host: 0 }) },
    { label: 'drive letter with slash', code: 'zip_unsafe_path', bytes: withEntry({ name: 'c:/evil.txt', data: text }) },
    { label: 'NUL in name', code: 'zip_unsafe_path', bytes: withEntry({ name: 'evil.html\0.txt', data: text }) },
    { label: 'control character (U+0001) in name', code: 'zip_unsafe_path', bytes: withEntry({ name: 'evil\u0001.html', data: text }) },
    { label: 'newline in name', code: 'zip_unsafe_path', bytes: withEntry({ name: 'log\nforged.html', data: text }) },
    { label: 'escape (U+001B) in a folder name', code: 'zip_unsafe_path', bytes: withEntry({ name: 'media\u001b[31m/a.js', data: text }) },
    { label: 'DEL in name', code: 'zip_unsafe_path', bytes: withEntry({ name: 'del\u007f.html', data: text }) },
    { label: 'symlink entry', code: 'zip_symlink', bytes: withEntry({ name: 'link', data: '/etc/passwd', unixMode: 0o120777 }) },
    { label: 'device entry', code: 'zip_symlink', bytes: withEntry({ name: 'dev', data: '', unixMode: 0o020644 }) },
    { label: 'FIFO entry', code: 'zip_symlink', bytes: withEntry({ name: 'fifo', data: '', unixMode: 0o010644 }) },
    { label: 'encrypted flag', code: 'zip_encrypted', bytes: withEntry({ name: 'secret.html', data: Buffer.alloc(40, 1), flags: 0x1, declaredUncompressed: 28 }) },
    { label: 'AES method 99', code: 'zip_encrypted', bytes: withEntry({ name: 'aes.html', data: text, declaredMethod: 99 }) },
    { label: 'exact duplicate', code: 'zip_duplicate_entry', bytes: withEntry({ name: 'index.html', data: '<p>other</p>' }) },
    { label: 'duplicate after normalising', code: 'zip_duplicate_entry', bytes: withEntry({ name: './/index.html', data: 'x' }) },
    { label: 'duplicate via backslash', code: 'zip_duplicate_entry', bytes: () => buildZip([...validEntries(), { name: 'a/b.js', data: '1' }, { name: 'a\\b.js', data: '2', host: 0 }]) },
    { label: 'duplicate in NFC vs NFD', code: 'zip_duplicate_entry', bytes: () => buildZip([...validEntries(), { name: 'caf\u00e9.js', data: '1' }, { name: 'cafe\u0301.js', data: '2' }]) },
    { label: 'file and folder with one name', code: 'zip_duplicate_entry', bytes: () => buildZip([...validEntries(), { name: 'media', data: '1' }, { name: 'media/a.mp4', data: '2' }]) },
    {
      label: 'too many entries',
      code: 'zip_too_many_entries',
      bytes: () => buildZip([...validEntries(), ...Array.from({ length: HOSTILE_LIMITS.maxEntries }, (_, i) => ({ name: `f${i}.js`, data: `${i}` }))]),
    },
    { label: 'stored size smaller than data', code: 'zip_size_mismatch', bytes: withEntry({ name: 'big.js', data: 'x'.repeat(100), declaredUncompressed: 10 }) },
    { label: 'deflated size smaller than actual', code: 'zip_size_mismatch', atExtract: true, bytes: withEntry({ name: 'liar.js', data: 'y'.repeat(5000), method: 8, declaredUncompressed: 100 }) },
    { label: 'deflated size larger than actual', code: 'zip_size_mismatch', atExtract: true, bytes: withEntry({ name: 'short.js', data: 'z'.repeat(50), method: 8, declaredUncompressed: 5000 }) },
    { label: 'corrupt data (CRC)', code: 'zip_truncated', atExtract: true, bytes: withEntry({ name: 'bad.js', data: 'console.log(1)', crc: 12345 }) },
    { label: 'folder entry with data', code: 'zip_size_mismatch', bytes: withEntry({ name: 'media/', data: 'hidden payload' }) },
    { label: 'high-ratio entry (zip bomb)', code: 'zip_bomb', bytes: withEntry({ name: 'bomb.bin', data: Buffer.alloc(4 * MiB), method: 8 }) },
    {
      label: 'high-ratio archive of small entries',
      code: 'zip_bomb',
      bytes: () => buildZip([...validEntries(), ...Array.from({ length: 6 }, (_, i) => ({ name: `z${i}.txt`, data: Buffer.alloc(MiB - 1, 0x20), method: 8 as const }))]),
    },
    {
      label: 'overlapping entries',
      code: 'zip_bomb',
      bytes: () => buildZip([...validEntries(), { name: 'a.bin', data: noise(1000) }, { name: 'b.bin', data: noise(1000), sameDataAs: 2 }]),
    },
    {
      label: 'total unpacked over the limit',
      code: 'zip_too_large_unpacked',
      bytes: () => buildZip([...validEntries(), ...Array.from({ length: 3 }, (_, i) => ({ name: `m${i}.bin`, data: noise(3 * MiB, i + 1) }))]),
    },
    { label: 'unsupported compression', code: 'zip_unsupported_compression', bytes: withEntry({ name: 'x.js', data: 'abc', declaredMethod: 12, declaredCompressed: 3 }) },
    {
      label: 'truncated file',
      code: 'zip_truncated',
      bytes: () => {
        const whole = buildZip([...validEntries(), { name: 'm.bin', data: noise(5000) }]);
        return whole.subarray(0, Math.floor(whole.length * 0.6));
      },
    },
    {
      label: 'central directory points past the end',
      code: 'zip_truncated',
      bytes: withEntry({ name: 'cut.bin', data: noise(100), declaredCompressed: 1_000_000, declaredUncompressed: 1_000_000 }),
    },
    { label: 'not a zip', code: 'not_a_zip', bytes: () => Buffer.from('<html>this is not a zip</html>\n'.repeat(20)) },
    { label: 'empty file', code: 'not_a_zip', bytes: () => Buffer.alloc(0) },
  ];
}

/** Writes `bytes` to `dir/name` and returns the path. */
export async function writeZip(dir: string, name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fs.promises.writeFile(file, bytes);
  return file;
}
