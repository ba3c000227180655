import * as fs from 'node:fs';
import { PackageError } from '../common/errors';

// The messages every part of the zip reader shares, so that one fault reads the same wherever it is found.

export function sizeMismatch(name: string, declared: number, actual: string): PackageError {
  return new PackageError(
    'zip_size_mismatch',
    `The zip entry ${JSON.stringify(name)} declares ${declared} bytes but holds ${actual}; the zip is corrupt or was tampered with.`,
  );
}

export function tooLarge(name: string, maxBytes: number): PackageError {
  return new PackageError('zip_entry_too_large', `The zip entry ${JSON.stringify(name)} is larger than ${maxBytes} bytes.`);
}

export function crcMismatch(name: string): PackageError {
  return new PackageError('zip_truncated', `The zip entry ${JSON.stringify(name)} is corrupt (CRC-32 mismatch); re-create the zip.`);
}

export function dataPastEnd(name: string): PackageError {
  return new PackageError('zip_truncated', `The zip is truncated or corrupt: the data of entry ${JSON.stringify(name)} runs past the end of the file.`);
}

export function dataCutShort(name: string): PackageError {
  return new PackageError('zip_truncated', `The zip is truncated: the data of entry ${JSON.stringify(name)} is cut short.`);
}

export function cannotDecode(name: string): PackageError {
  return new PackageError('zip_unsupported_compression', `The zip entry ${JSON.stringify(name)} cannot be decoded (encrypted or unknown compression).`);
}

/** An existing target means two entries landed on one file (the policy already refused exact duplicates). */
export function targetError(err: unknown, name: string): unknown {
  if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
    return new PackageError(
      'zip_duplicate_entry',
      `The zip entry ${JSON.stringify(name)} collides with another entry on this file system (names differing only in case?).`,
    );
  }
  return err;
}

/**
 * Maps yauzl's and zlib's plain Errors to named PackageErrors; file-system errors (ENOENT, ENOSPC…)
 * and PackageErrors pass through unchanged.
 */
export function classifyZipError(err: unknown, file: string): unknown {
  if (err instanceof PackageError || !(err instanceof Error)) {
    return err;
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR_')) {
    return err;
  }
  const message = err.message;
  if (/end of central directory record signature not found/i.test(message)) {
    return notAZip(file);
  }
  if (/strong encryption|encrypted/i.test(message)) {
    return new PackageError('zip_encrypted', 'The zip has an encrypted entry; upload a zip without a password.');
  }
  if (/size mismatch|too many bytes|not enough bytes/i.test(message)) {
    return new PackageError('zip_size_mismatch', `The zip declares sizes that do not match its contents (${message}).`);
  }
  if (/multi-disk/i.test(message)) {
    return new PackageError('not_a_zip', 'The file is one part of a split (multi-disk) zip; upload a single-file zip.');
  }
  return new PackageError('zip_truncated', `The zip is truncated or corrupt (${message}); upload it again or re-create it.`);
}

/** yauzl cannot tell a non-zip from a zip cut short; the first bytes can (APPNOTE §4.3.7 signatures). */
function notAZip(file: string): PackageError {
  let head = Buffer.alloc(0);
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(4);
      const n = fs.readSync(fd, buf, 0, 4, 0);
      head = buf.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // unreadable: reported as not a zip below
  }
  if (head.length === 0) {
    return new PackageError('not_a_zip', 'The uploaded file is empty; upload the course as a .zip file.');
  }
  if (head.length === 4 && head.readUInt32LE(0) === 0x04034b50) {
    return new PackageError('zip_truncated', 'The zip is truncated (its central directory is missing); upload it again.');
  }
  return new PackageError('not_a_zip', 'The uploaded file is not a zip archive; upload the course as a .zip file.');
}
