import { codes, fileList, oneSco } from '../../test/support/manifest-spec-helpers';
import { parseManifest } from './manifest-parser';

/** Which SCORM version and edition parseManifest takes a manifest to be, and its warnings when the signs disagree. */
describe('parseManifest', () => {
  describe('version detection', () => {
    it.each([
      ['1.2', '1.2', null],
      [' 1.2 ', '1.2', null],
      ['1.3', '2004', '2nd'],
      ['CAM 1.3', '2004', '2nd'],
      ['2004 3rd Edition', '2004', '3rd'],
      ['2004 4th edition', '2004', '4th'],
    ])('should read schemaversion %p as %s %s', (text, version, edition) => {
      const xml = Buffer.from(oneSco('a.html').toString().replace('<schemaversion>1.2</schemaversion>', `<schemaversion>${text}</schemaversion>`));
      expect(parseManifest(xml, fileList('a.html')).manifest).toMatchObject({ scormVersion: version, edition, versionSource: 'schemaversion' });
    });

    it('should default to 1.2 with schemaversion_missing when nothing says 2004', () => {
      const xml = Buffer.from(oneSco('a.html').toString().replace('<schemaversion>1.2</schemaversion>', ''));
      const { manifest, warnings } = parseManifest(xml, fileList('a.html'));
      expect(manifest).toMatchObject({ scormVersion: '1.2', versionSource: 'namespaces' });
      expect(codes(warnings)).toEqual(['schemaversion_missing']);
      const bare =
        Buffer.from(`<manifest identifier="M"><organizations><organization identifier="O"><item identifier="I" identifierref="R"/></organization></organizations>
        <resources><resource identifier="R" scormtype="sco" href="a.html"/></resources></manifest>`);
      expect(parseManifest(bare, fileList('a.html')).manifest).toMatchObject({ scormVersion: '1.2', versionSource: 'default' });
    });

    it('should take 2004 4th edition from scormType and a completionThreshold attribute without schemaversion', () => {
      const xml = Buffer.from(`<manifest identifier="M"><organizations><organization identifier="O"><title>T</title>
        <item identifier="I" identifierref="R"><title>x</title><adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.6"/></item>
        </organization></organizations><resources><resource identifier="R" adlcp:scormType="sco" href="a.html"/></resources></manifest>`);
      const { manifest, warnings } = parseManifest(xml, fileList('a.html'));
      expect(manifest).toMatchObject({ scormVersion: '2004', edition: '4th', versionSource: 'namespaces' });
      expect(warnings[0].message).toContain('scormType');
    });

    it('should warn on an unknown schemaversion and on a 1.2 schemaversion with 2004 elements', () => {
      const unknown = Buffer.from(oneSco('a.html').toString().replace('<schemaversion>1.2</schemaversion>', '<schemaversion>SCORM 5</schemaversion>'));
      expect(codes(parseManifest(unknown, fileList('a.html')).warnings)).toEqual(['schemaversion_unknown']);
      const conflict = Buffer.from(oneSco('a.html').toString().replace('<title>One</title>', '<title>One</title><imsss:sequencing/>'));
      const r = parseManifest(conflict, fileList('a.html'));
      expect(r.manifest.scormVersion).toBe('1.2');
      expect(codes(r.warnings)).toEqual(['schemaversion_conflict', 'namespace_undeclared']);
    });
  });
});
