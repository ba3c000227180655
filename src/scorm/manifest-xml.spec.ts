import { codes, errorOf, fileList, oneSco } from '../../test/support/manifest-spec-helpers';
import { parseManifest } from './manifest-parser';

/** parseManifest on hostile or unusual XML: entities, wrong roots, empty files, undeclared prefixes, encodings. */
describe('parseManifest', () => {
  describe('XML robustness', () => {
    it('should not expand DOCTYPE entities (billion laughs)', () => {
      const levels = ['<!ENTITY l0 "lollollollollollollollollollol">'];
      for (let i = 1; i <= 9; i++) {
        levels.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
      }
      const xml = Buffer.from(`<?xml version="1.0"?>
<!DOCTYPE manifest [ ${levels.join('\n')} ]>
<manifest identifier="M" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schemaversion>1.2</schemaversion></metadata>
  <organizations><organization identifier="O"><title>&l9; &amp; &#x41;&#66;</title>
  <item identifier="I" identifierref="R"><title>x</title></item></organization></organizations>
  <resources><resource identifier="R" adlcp:scormtype="sco" href="a.html"/></resources>
</manifest>`);
      const before = process.memoryUsage().heapUsed;
      const { manifest } = parseManifest(xml, fileList('a.html'));
      expect(manifest.title).toBe('&l9; & AB');
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
    });

    it('should refuse a document whose root is not <manifest>', () => {
      const err = errorOf(() => parseManifest(Buffer.from('<package><x/></package>'), fileList()));
      expect(err.code).toBe('manifest_invalid');
      expect(err.message).toContain('<package>');
    });

    it.each([
      ['an empty file', Buffer.alloc(0), 'imsmanifest.xml is empty.'],
      ['a UTF-8 BOM and nothing else', Buffer.from([0xef, 0xbb, 0xbf]), 'imsmanifest.xml is empty.'],
      ['white space only', Buffer.from(' \n\t\n'), 'imsmanifest.xml holds only white space.'],
      ['a declaration and a comment only', Buffer.from('<?xml version="1.0"?>\n<!-- exported empty -->\n'), 'imsmanifest.xml has no root element'],
      [
        'a file cut short',
        Buffer.from('<manifest identifier="M"><organizations><organization identifier="O">'),
        'ends before the elements <manifest>, <organizations>, <organization> are closed',
      ],
      ['one unclosed element', Buffer.from('<manifest identifier="M">'), "Unclosed tag 'manifest'. (line 1, column 1)"],
      ['a bad attribute', Buffer.from('<manifest\n identifier=M/>'), 'line 2, column'],
    ])('should say what is wrong with %s', (_label, xml, said) => {
      const err = errorOf(() => parseManifest(xml, fileList()));
      expect(err.code).toBe('manifest_malformed');
      expect(err.message).toContain(said);
      expect(err.message).not.toContain('undefined');
    });

    it('should warn once, naming each prefix used without an xmlns declaration', () => {
      const xml = Buffer.from(`<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xsi:schemaLocation="x">
  <metadata><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>T</title>
    <item identifier="I" identifierref="R"><title>x</title><imsss:sequencing><imsss:deliveryControls tracked="true"/></imsss:sequencing></item>
  </organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="a.html"/>
    <resource identifier="S" type="webcontent" adlcp:scormType="asset" href="b.html"/></resources>
</manifest>`);
      const { manifest, warnings } = parseManifest(xml, fileList('a.html', 'b.html'));
      expect(manifest.scos.map((s) => s.itemId)).toEqual(['I']);
      const undeclared = warnings.filter((w) => w.code === 'namespace_undeclared');
      expect(undeclared).toEqual([
        {
          code: 'namespace_undeclared',
          message: expect.stringContaining('prefixes "xsi:", "imsss:", "adlcp:" without declaring them (no xmlns:xsi, xmlns:imsss, xmlns:adlcp)'),
          path: 'manifest',
        },
      ]);
    });

    it('should count a prefix as declared only where its xmlns is in scope', () => {
      const scoped = (where: 'manifest' | 'resource'): Buffer => {
        const decl = 'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"';
        return Buffer.from(`<manifest identifier="M" ${where === 'manifest' ? decl : ''}>
  <metadata><schemaversion>1.2</schemaversion></metadata>
  <organizations><organization identifier="O"><title>T</title><item identifier="I" identifierref="R"><title>x</title><adlcp:masteryscore>80</adlcp:masteryscore></item></organization></organizations>
  <resources><resource identifier="R" type="webcontent" ${where === 'resource' ? decl : ''} adlcp:scormtype="sco" href="a.html"/></resources>
</manifest>`);
      };
      expect(codes(parseManifest(scoped('manifest'), fileList('a.html')).warnings)).toEqual([]);
      const inner = parseManifest(scoped('resource'), fileList('a.html'));
      expect(codes(inner.warnings)).toEqual(['namespace_undeclared']);
      expect(inner.warnings[0].message).toContain('"adlcp:"');
      expect(inner.manifest.items[0].masteryScore).toBe(80);
    });

    it('should read UTF-16 and ISO-8859-1 manifests', () => {
      const text = oneSco('a.html').toString('utf8').replace('<title>One</title>', '<title>Leçon</title>');
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      expect(parseManifest(utf16, fileList('a.html')).manifest.scos[0].title).toBe('Leçon');
      const latin1 = Buffer.from(text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'), 'latin1');
      expect(parseManifest(latin1, fileList('a.html')).manifest.scos[0].title).toBe('Leçon');
    });

    it('should match elements and attributes whatever their prefix, declared or not', () => {
      const xml = Buffer.from(`<cp:manifest identifier="M" xmlns:cp="http://www.imsglobal.org/xsd/imscp_v1p1">
  <cp:organizations default="O"><cp:organization identifier="O"><cp:title>T</cp:title>
    <cp:item identifier="I" identifierref="R" isVisible="FALSE"><cp:title>x</cp:title>
      <foo:completionThreshold>0.5</foo:completionThreshold></cp:item></cp:organization></cp:organizations>
  <cp:resources><cp:resource identifier="R" scormtype="SCO" href="a.html"/></cp:resources></cp:manifest>`);
      const { manifest, warnings } = parseManifest(xml, fileList('a.html'));
      expect(manifest.scos[0]).toMatchObject({ scormType: 'sco', isVisible: false });
      expect(manifest.items[0].completionThreshold?.minProgressMeasure).toBe(0.5);
      expect(manifest.scormVersion).toBe('2004');
      expect(codes(warnings)).toEqual(['schemaversion_missing', 'namespace_undeclared']);
      expect(warnings[1].message).toContain('"foo:"');
    });
  });
});
