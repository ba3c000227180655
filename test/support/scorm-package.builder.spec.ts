import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFixtureZip, fixtureEntries, listFixtures, writeFixtureZip } from './scorm-package.builder';
import { readZip } from './zip-read';

describe('scorm-package.builder', () => {
  it('should list the fixture packages without _shared', async () => {
    const names = await listFixtures();
    expect(names).toEqual(expect.arrayContaining(['scorm12-single-sco', 'scorm2004-4th-multi-sco', 'quirks', 'malformed-xml']));
    expect(names).not.toContain('_shared');
  });

  it('should zip a fixture with the shared sco.js beside the manifest, sorted and byte-identical across builds', async () => {
    const a = await buildFixtureZip('scorm12-single-sco');
    const b = await buildFixtureZip('scorm12-single-sco');
    expect(a.equals(b)).toBe(true);
    const entries = await readZip(a);
    expect([...entries.keys()]).toEqual(['imsmanifest.xml', 'index.html', 'sco.js']);
    const shared = await fs.readFile(path.resolve(__dirname, '../../fixtures/packages/_shared/sco.js'));
    expect(entries.get('sco.js')?.equals(shared)).toBe(true);
  });

  it('should put the shared files next to a manifest that sits in a sub-folder', async () => {
    const names = (await fixtureEntries('manifest-in-subfolder')).map((e) => e.name);
    expect(names).toEqual(['My Course/imsmanifest.xml', 'My Course/index.html', 'My Course/sco.js']);
  });

  it('should apply topFolder, macJunk, files, drop and directoryEntries', async () => {
    const buf = await buildFixtureZip('scorm12-single-sco', {
      topFolder: 'course',
      macJunk: true,
      files: { 'extra/note.txt': 'hello', 'index.html': '<p>replaced</p>' },
      drop: ['sco.js'],
      directoryEntries: true,
    });
    const entries = await readZip(buf);
    expect([...entries.keys()]).toEqual([
      'course/',
      'course/.DS_Store',
      'course/__MACOSX/',
      'course/__MACOSX/._imsmanifest.xml',
      'course/__MACOSX/._index.html',
      'course/__MACOSX/extra/',
      'course/__MACOSX/extra/._note.txt',
      'course/extra/',
      'course/extra/note.txt',
      'course/imsmanifest.xml',
      'course/index.html',
    ]);
    expect(entries.get('course/index.html')?.toString()).toBe('<p>replaced</p>');
  });

  it('should store non-ASCII names as UTF-8 and write to a file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fixture-zip-'));
    try {
      const file = await writeFixtureZip('quirks', path.join(dir, 'quirks.zip'));
      const entries = await readZip(await fs.readFile(file));
      expect(entries.has('Leçon 1/page un.html')).toBe(true);
      expect(entries.has('__MACOSX/._index.html')).toBe(true);
      expect(entries.get('imsmanifest.xml')?.subarray(0, 3).toString('hex')).toBe('efbbbf');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('should refuse a name that is not a fixture', async () => {
    await expect(fixtureEntries('../src')).rejects.toThrow('Not a fixture package name');
    await expect(fixtureEntries('no-such-fixture')).rejects.toThrow('does not exist');
  });
});
