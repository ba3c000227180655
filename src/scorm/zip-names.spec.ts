import { PackageError } from '../common/errors';
import { duplicateKey, normaliseEntryName } from './zip-names';

function refusal(raw: string): PackageError {
  let caught: unknown;
  try {
    normaliseEntryName(raw);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(PackageError);
  return caught as PackageError;
}

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
      expect(refusal(raw).code).toBe('zip_unsafe_path');
    },
  );

  it.each([
    ['a\0b', 'NUL', '"a\\u0000b"'],
    ['a\u0001b.html', 'U+0001', '"a\\u0001b.html"'],
    ['line\nbreak.js', 'U+000A', '"line\\nbreak.js"'],
    ['tab\there.js', 'U+0009', '"tab\\there.js"'],
    ['esc\u001b[2J.html', 'U+001B', '"esc\\u001b[2J.html"'],
    ['dir\u001f/x.js', 'U+001F', '"dir\\u001f/x.js"'],
    ['del\u007f.js', 'U+007F', '"del\\u007f.js"'],
  ])('refuses the control character in %j, naming the entry and the character', (raw, character, shown) => {
    const err = refusal(raw);
    expect(err.code).toBe('zip_unsafe_path');
    expect(err.message).toContain(`(${character})`);
    expect(err.message).toContain(shown);
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f]/); // eslint-disable-line no-control-regex
  });

  it('accepts the characters just outside the control ranges', () => {
    expect(normaliseEntryName(' a~b\u0080c.html').name).toBe(' a~b\u0080c.html');
  });

  it('treats a file and a folder of one name, and NFC/NFD spellings, as one key; case differences as two', () => {
    expect(duplicateKey('a/')).toBe(duplicateKey('a'));
    expect(duplicateKey('caf\u00e9')).toBe(duplicateKey('cafe\u0301'));
    expect(duplicateKey('A.js')).not.toBe(duplicateKey('a.js'));
  });
});
