import { codes, errorOf, fileList, itemOf, manifest12 } from '../../test/support/manifest-spec-helpers';
import { parseManifest } from './manifest-parser';

/** The item tree parseManifest builds: the delivered organization, identifiers, launch references, nested manifests. */
describe('parseManifest', () => {
  describe('organizations and items', () => {
    it('should deliver the first organization when default names none, with a warning', () => {
      const xml = manifest12(`<organizations default="NOPE">
        <organization identifier="A"><title>First</title><item identifier="I1" identifierref="R"/></organization>
        <organization identifier="B"><title>Second</title><item identifier="I2" identifierref="R"/></organization></organizations>
        <resources><resource identifier="R" adlcp:scormtype="sco" href="a.html"/></resources>`);
      const { manifest, warnings } = parseManifest(xml, fileList('a.html'));
      expect(manifest.organizationId).toBe('A');
      expect(manifest.title).toBe('First');
      expect(manifest.scos[0].title).toBe('I1');
      expect(codes(warnings)).toEqual(['default_organization_missing']);
    });

    it('should treat a resource without scormtype as an asset and use the manifest identifier as a last-resort title', () => {
      const xml = manifest12(`<organizations><organization identifier="O"><item identifier="I" identifierref="R"/></organization></organizations>
        <resources><resource identifier="R" type="webcontent" href="a.html"/></resources>`);
      const { manifest } = parseManifest(xml, fileList('a.html'));
      expect(manifest.title).toBe('M');
      expect(manifest.scos[0].scormType).toBe('asset');
    });

    it('should name a missing item identifier and warn about duplicates and invalid values', () => {
      const xml = manifest12(`<organizations><organization identifier="O">
        <item identifierref="R"><title>a</title><adlcp:masteryscore>high</adlcp:masteryscore></item>
        <item identifier="D" identifierref="R"/><item identifier="D" identifierref="R"/></organization></organizations>
        <resources><resource identifier="R" adlcp:scormtype="sco" href="a.html"/></resources>`);
      const { manifest, warnings } = parseManifest(xml, fileList('a.html'));
      expect(manifest.scos.map((s) => s.itemId)).toEqual(['ITEM-1', 'D', 'D']);
      expect(manifest.items[0].masteryScore).toBeUndefined();
      expect(codes(warnings).sort()).toEqual(['duplicate_identifier', 'invalid_value', 'item_identifier_missing']);
    });

    it('should refuse an identifierref that names no resource', () => {
      const xml = manifest12(
        `<organizations><organization identifier="O"><item identifier="I" identifierref="GHOST"/></organization></organizations><resources/>`,
      );
      const err = errorOf(() => parseManifest(xml, fileList()));
      expect(err.code).toBe('launch_target_missing');
      expect(err.message).toContain('"GHOST"');
    });

    it('should refuse a launched resource with no href', () => {
      const xml = manifest12(`<organizations><organization identifier="O"><item identifier="I" identifierref="R"/></organization></organizations>
        <resources><resource identifier="R" adlcp:scormtype="sco"/></resources>`);
      expect(errorOf(() => parseManifest(xml, fileList())).message).toContain('no href');
    });

    it('should not launch a 2004 aggregation that also has an identifierref', () => {
      const xml = Buffer.from(`<manifest identifier="M"><metadata><schemaversion>2004 4th Edition</schemaversion></metadata>
        <organizations><organization identifier="O"><item identifier="P" identifierref="R"><item identifier="C" identifierref="R"/></item></organization></organizations>
        <resources><resource identifier="R" adlcp:scormType="sco" href="a.html"/></resources></manifest>`);
      const { manifest, warnings } = parseManifest(xml, fileList('a.html'));
      expect(manifest.scos.map((s) => s.itemId)).toEqual(['C']);
      expect(codes(warnings)).toEqual(['namespace_undeclared', 'launchable_aggregation_ignored']);
    });

    it('should inline a sub-manifest referenced by an item, resolving its own xml:base', () => {
      const xml = manifest12(`<organizations><organization identifier="O"><title>T</title>
          <item identifier="I1" identifierref="R1"/>
          <item identifier="UNIT" identifierref="SUB"><title>Unit</title></item></organization></organizations>
        <resources><resource identifier="R1" adlcp:scormtype="sco" href="a.html"/></resources>
        <manifest identifier="SUB" xml:base="unit/">
          <organizations default="SO"><organization identifier="SO"><item identifier="S1" identifierref="SR"/></organization></organizations>
          <resources><resource identifier="SR" adlcp:scormtype="sco" href="s.html"/></resources>
        </manifest>`);
      const { manifest, warnings } = parseManifest(xml, fileList('a.html', 'unit/s.html'));
      expect(manifest.scos.map((s) => [s.itemId, s.launchUrl])).toEqual([
        ['I1', 'a.html'],
        ['S1', 'unit/s.html'],
      ]);
      expect(itemOf(manifest.items, 'UNIT').launchUrl).toBeUndefined();
      expect(codes(warnings)).toEqual(['submanifest_inlined']);
      expect(manifest.resources.map((r) => r.identifier)).toEqual(['R1', 'SR']);
    });
  });
});
