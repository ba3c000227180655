import { appendParameters, applyXmlBase, decodePath, encodePath, PACKAGE_ROOT, resolveRef, type HrefBase } from './launch-url';

describe('launch-url', () => {
  describe('appendParameters (CAM rule, src/scorm/README.md)', () => {
    it.each([
      ['a.html', '?tc=CM-09ba&act=1', 'a.html?tc=CM-09ba&act=1'],
      ['a.html', '&act=2', 'a.html?act=2'],
      ['a.html', '??&&x=1', 'a.html?x=1'],
      ['a.html', 'x=1', 'a.html?x=1'],
      ['a.html?lang=en', 'x=1', 'a.html?lang=en&x=1'],
      ['a.html?lang=en', '?x=1', 'a.html?lang=en&x=1'],
      ['a.html?', 'x=1', 'a.html?x=1'],
      ['a.html?a=1&', 'x=1', 'a.html?a=1&x=1'],
      ['a.html', '#frag', 'a.html#frag'],
      ['a.html#start', '#frag', 'a.html#start'],
      ['a.html#start', 'x=1', 'a.html?x=1#start'],
      ['a.html?q=1#start', '&x=1', 'a.html?q=1&x=1#start'],
      ['a.html', 'x=1#frag', 'a.html?x=1#frag'],
      ['a.html#start', 'x=1#frag', 'a.html?x=1#start'],
      ['a.html', '', 'a.html'],
      ['a.html', '   ', 'a.html'],
      ['a.html', '?', 'a.html'],
      ['a.html', undefined, 'a.html'],
      ['https://example.com/x?y=1', 'z=2', 'https://example.com/x?y=1&z=2'],
    ])('should join %p and %p into %p', (url, params, expected) => {
      expect(appendParameters(url, params)).toBe(expected);
    });
  });

  describe('resolveRef', () => {
    const dir = (d: string): HrefBase => ({ kind: 'package', dir: d });

    it('should resolve relative paths against the base folder', () => {
      expect(resolveRef(dir('course/content/'), 'unit1/page.html?x=1#top')).toEqual({
        kind: 'package',
        path: 'course/content/unit1/page.html',
        query: '?x=1',
        fragment: '#top',
        backslashes: false,
      });
      expect(resolveRef(dir('a/b/'), '../c/./d.html')).toMatchObject({ path: 'a/c/d.html' });
      expect(resolveRef(PACKAGE_ROOT, 'x//y.html')).toMatchObject({ path: 'x/y.html' });
    });

    it('should read backslashes as slashes and say so', () => {
      expect(resolveRef(PACKAGE_ROOT, 'content\\index.html')).toMatchObject({ kind: 'package', path: 'content/index.html', backslashes: true });
    });

    it.each([
      ['../secret.html', 'climbs above'],
      ['a/../../secret.html', 'climbs above'],
      ['%2e%2e/secret.html', 'climbs above'],
      ['/etc/passwd', 'web server root'],
      ['javascript:alert(1)', '"javascript:" scheme'],
      ['file:///etc/passwd', '"file:" scheme'],
      ['C:/course/index.html', '"c:" scheme'],
      ['a%2Fb.html', 'encoded "/"'],
    ])('should refuse %p as unsafe', (ref, reason) => {
      const r = resolveRef(PACKAGE_ROOT, ref);
      expect(r.kind).toBe('unsafe');
      expect(r.kind === 'unsafe' && r.reason).toContain(reason);
    });

    it('should keep http(s) URLs as external, also relative to an external base', () => {
      expect(resolveRef(PACKAGE_ROOT, 'HTTPS://cdn.example.com/sco.html')).toMatchObject({ kind: 'external', url: 'HTTPS://cdn.example.com/sco.html' });
      expect(resolveRef({ kind: 'external', url: 'https://cdn.example.com/course/' }, '../x/sco.html?a=1')).toMatchObject({
        kind: 'external',
        url: 'https://cdn.example.com/x/sco.html?a=1',
      });
    });
  });

  describe('applyXmlBase', () => {
    it('should chain bases, each relative to the one before, and read a base without "/" as a folder', () => {
      let base = applyXmlBase(PACKAGE_ROOT, 'course');
      expect(base).toEqual({ kind: 'package', dir: 'course/' });
      base = applyXmlBase(base as HrefBase, 'content/');
      base = applyXmlBase(base as HrefBase, '../unit2/');
      expect(base).toEqual({ kind: 'package', dir: 'course/unit2/' });
      expect(applyXmlBase(PACKAGE_ROOT, undefined)).toBe(PACKAGE_ROOT);
    });

    it('should make an absolute base external and refuse one that escapes', () => {
      expect(applyXmlBase(PACKAGE_ROOT, 'https://cdn.example.com/c')).toEqual({ kind: 'external', url: 'https://cdn.example.com/c/' });
      expect(applyXmlBase({ kind: 'package', dir: 'a/' }, '../../')).toMatchObject({ kind: 'unsafe' });
    });
  });

  describe('decodePath / encodePath', () => {
    it('should round-trip spaces, non-ASCII and reserved characters', () => {
      expect(decodePath('Le%C3%A7on%201/page%20un.html')).toBe('Leçon 1/page un.html');
      expect(encodePath('Leçon 1/page un.html')).toBe('Le%C3%A7on%201/page%20un.html');
      expect(encodePath('a#b/c?d/100%.html')).toBe('a%23b/c%3Fd/100%25.html');
      expect(encodePath('x&y=z@1,2;3+4$.html')).toBe('x&y=z@1,2;3+4$.html');
    });

    it('should keep a segment that is not valid percent-encoding as written', () => {
      expect(decodePath('100%.html')).toBe('100%.html');
    });
  });
});
