import { PackageError } from '../common/errors';
import { duplicateKey, normaliseEntryName } from './zip-names';

describe('normaliseEntryName', () => {
  it.each([
    ['a/b.html', 'a/b.html', false],
    ['a\\b.html', 'a/b.html', false],
    ['./a//b/./c.js', 'a/b/c.js', false],
    ['media/', 'media/', true],
    ['media\\', 'media/', true],
    ['sub dir/é ü.html', 'sub dir/é ü.html', false],
    ['..a/b..c/...', '..a/b..c/...', false],
    ['./', '', true],
  ])('%j → %j', (raw, name, isDirectory) => {
    expect(normaliseEntryName(raw)).toEqual({ name, isDirectory });
  });

  it.each(['../x', 'a/../../x', 'a/..', '..\\x', 'a\\..\\..\\x', '/etc/passwd', '\\x', '//server/share/x', 'C:\\x', 'c:/x', 'C:x', 'a\0b', 'x/'.repeat(1) + 'y'.repeat(256)])(
    'refuses %j',
    (raw) => {
      let caught: unknown;
      try {
        normaliseEntryName(raw);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(PackageError);
      expect((caught as PackageError).code).toBe('zip_unsafe_path');
    },
  );

  it('treats a file and a folder of one name, and NFC/NFD spellings, as one key; case differences as two', () => {
    expect(duplicateKey('a/')).toBe(duplicateKey('a'));
    expect(duplicateKey('caf\u00e9')).toBe(duplicateKey('cafe\u0301'));
    expect(duplicateKey('A.js')).not.toBe(duplicateKey('a.js'));
  });
});
