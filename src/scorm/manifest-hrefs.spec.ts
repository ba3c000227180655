import { codes, errorOf, fileList, oneSco } from '../../test/support/manifest-spec-helpers';
import { parseManifest } from './manifest-parser';

/** How parseManifest resolves and checks hrefs: unsafe targets, xml:base, external URLs, backslashes, encoding; warning caps. */
describe('parseManifest', () => {
  describe('hrefs', () => {
    it.each(['../outside.html', '/etc/passwd', 'javascript:alert(1)', 'a/%2e%2e/%2e%2e/x.html'])(
      'should refuse the unsafe launch href %p with manifest_unsafe_href',
      (href) => {
        const err = errorOf(() => parseManifest(oneSco(href), fileList('a.html')));
        expect(err.code).toBe('manifest_unsafe_href');
        expect(err.status).toBe(422);
        expect(err.message).toContain('item "I1"');
      },
    );

    it('should refuse an xml:base that climbs out of the package', () => {
      const xml = Buffer.from(oneSco('a.html').toString().replace('<resources>', '<resources xml:base="../">'));
      expect(errorOf(() => parseManifest(xml, fileList('a.html'))).code).toBe('manifest_unsafe_href');
    });

    it('should accept an absolute http(s) href as external content, with parameters', () => {
      const xml = Buffer.from(oneSco('https://cdn.example.com/sco.html').toString().replace('identifierref="R1"', 'identifierref="R1" parameters="?a=1"'));
      const { manifest, warnings } = parseManifest(xml, fileList());
      expect(manifest.scos[0].launchUrl).toBe('https://cdn.example.com/sco.html?a=1');
      expect(manifest.items[0].launchFile).toBeUndefined();
      expect(codes(warnings)).toEqual(['external_launch']);
    });

    it('should read backslash hrefs as paths, with a warning', () => {
      const { manifest, warnings } = parseManifest(oneSco('content\\a.html'), fileList('content/a.html'));
      expect(manifest.scos[0].launchUrl).toBe('content/a.html');
      expect(codes(warnings)).toEqual(['href_backslash']);
    });

    it('should encode reserved characters of the stored file name in launchUrl', () => {
      const { manifest } = parseManifest(oneSco('100%25%20done%23.html'), fileList('100% done#.html'));
      expect(manifest.items[0]).toMatchObject({ launchFile: '100% done#.html', launchUrl: '100%25%20done%23.html' });
    });

    it('should warn about unsafe <file> hrefs and unknown dependencies without failing', () => {
      const xml = oneSco('a.html', '<resource identifier="X" href="x.html"><file href="../../etc/passwd"/><dependency identifierref="NOPE"/></resource>');
      const { warnings } = parseManifest(xml, fileList('a.html', 'x.html'));
      expect(codes(warnings).sort()).toEqual(['unresolved_dependency', 'unsafe_file_href']);
    });

    it('should cap warnings of one code and summarise the rest', () => {
      const files = Array.from({ length: 30 }, (_, i) => `<file href="missing-${i}.png"/>`).join('');
      const xml = oneSco('a.html', `<resource identifier="X">${files}</resource>`);
      const { warnings } = parseManifest(xml, fileList('a.html'));
      expect(warnings).toHaveLength(21);
      expect(warnings[20].message).toContain('10 more');
    });
  });
});
