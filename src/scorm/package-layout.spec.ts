import { PackageError } from '../common/errors';
import { isJunkEntry, locateManifest, PackageFiles } from './package-layout';
import type { ZipEntryInfo } from './zip.types';

const entries = (...names: string[]): ZipEntryInfo[] =>
  names.map((name) => ({ name, isDirectory: name.endsWith('/'), uncompressedSize: 10, compressedSize: 5 }));

function thrown(fn: () => unknown): PackageError {
  try {
    fn();
  } catch (err) {
    return err as PackageError;
  }
  throw new Error('expected a PackageError');
}

describe('package-layout', () => {
  describe('locateManifest', () => {
    it('should find the manifest at the root without warnings', () => {
      expect(locateManifest(entries('imsmanifest.xml', 'index.html', 'shared/imsmanifest.xml'))).toEqual({
        manifestEntry: 'imsmanifest.xml',
        rootPrefix: '',
        warnings: [],
      });
    });

    it('should accept a manifest inside one top-level folder with manifest_in_subfolder', () => {
      const layout = locateManifest(entries('My Course/', 'My Course/imsmanifest.xml', 'My Course/index.html'));
      expect(layout.manifestEntry).toBe('My Course/imsmanifest.xml');
      expect(layout.rootPrefix).toBe('My Course/');
      expect(layout.warnings.map((w) => w.code)).toEqual(['manifest_in_subfolder']);
      expect(layout.warnings[0].message).toContain('"My Course"');
    });

    it('should ignore __MACOSX junk, also a junk copy of the manifest, and say so', () => {
      const layout = locateManifest(entries('course/imsmanifest.xml', 'course/a.html', '__MACOSX/course/._imsmanifest.xml', '__MACOSX/course/._a.html', '.DS_Store'));
      expect(layout.rootPrefix).toBe('course/');
      expect(layout.warnings.map((w) => w.code).sort()).toEqual(['junk_entries_ignored', 'manifest_in_subfolder']);
      expect(layout.warnings.find((w) => w.code === 'junk_entries_ignored')?.message).toContain('3 packaging leftover entries');
    });

    it('should prefer the root manifest over sub-folder ones', () => {
      expect(locateManifest(entries('a/imsmanifest.xml', 'imsmanifest.xml', 'b/imsmanifest.xml')).rootPrefix).toBe('');
    });

    it('should accept a manifest whose name differs in case, with a warning', () => {
      const layout = locateManifest(entries('IMSManifest.xml', 'index.html'));
      expect(layout.manifestEntry).toBe('IMSManifest.xml');
      expect(layout.warnings.map((w) => w.code)).toEqual(['path_case_mismatch']);
    });

    it('should refuse a zip without a manifest with manifest_missing (422)', () => {
      const err = thrown(() => locateManifest(entries('index.html', '__MACOSX/imsmanifest.xml')));
      expect(err).toBeInstanceOf(PackageError);
      expect(err.code).toBe('manifest_missing');
      expect(err.status).toBe(422);
    });

    it('should refuse a manifest that is two folders down, naming where it is', () => {
      const err = thrown(() => locateManifest(entries('a/b/imsmanifest.xml', 'a/b/index.html')));
      expect(err.code).toBe('manifest_missing');
      expect(err.message).toContain('a/b/imsmanifest.xml');
    });

    it('should refuse manifests in two top-level folders as ambiguous', () => {
      const err = thrown(() => locateManifest(entries('a/imsmanifest.xml', 'b/imsmanifest.xml')));
      expect(err.code).toBe('manifest_ambiguous');
      expect(err.status).toBe(422);
    });
  });

  describe('isJunkEntry', () => {
    it.each([
      ['__MACOSX/._a.html', true],
      ['course/__MACOSX/x', true],
      ['.DS_Store', true],
      ['a/Thumbs.db', true],
      ['MACOSX.html', false],
      ['a/DS_Store.js', false],
    ])('%p → %p', (name, junk) => {
      expect(isJunkEntry(name)).toBe(junk);
    });
  });

  describe('PackageFiles', () => {
    const files = new PackageFiles(entries('c/', 'c/index.html', 'c/Leçon 1/page un.html'.normalize('NFD'), 'c/__MACOSX/._index.html', 'other.html'), 'c/');

    it('should hold the files under the root prefix, without folders and junk', () => {
      expect(files.size).toBe(2);
      expect(files.has('index.html')).toBe(true);
      expect(files.has('other.html')).toBe(false);
    });

    it('should find exact, Unicode-normalised and case-insensitive spellings, returning the stored one', () => {
      expect(files.find('index.html')).toEqual({ stored: 'index.html', match: 'exact' });
      expect(files.find('Leçon 1/page un.html'.normalize('NFC'))).toEqual({ stored: 'Leçon 1/page un.html'.normalize('NFD'), match: 'unicode' });
      expect(files.find('INDEX.HTML')).toEqual({ stored: 'index.html', match: 'case' });
      expect(files.findIgnoringCase('LEÇON 1/PAGE UN.HTML')).toBe('Leçon 1/page un.html'.normalize('NFD'));
      expect(files.find('missing.html')).toBeUndefined();
    });
  });
});
