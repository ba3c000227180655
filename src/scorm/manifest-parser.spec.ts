import { PackageError } from '../common/errors';
import { fixtureEntries, toZipEntryInfos, type FixtureZipOptions } from '../../test/support/scorm-package.builder';
import { findItem } from './manifest-items';
import { parseManifest } from './manifest-parser';
import type { ManifestItem, ParsedManifest } from './manifest.types';
import { locateManifest, PackageFiles } from './package-layout';
import type { ZipEntryInfo } from './zip.types';

async function parseFixture(name: string, opts?: FixtureZipOptions): Promise<ReturnType<typeof parseManifest>> {
  const entries = await fixtureEntries(name, opts);
  const infos = toZipEntryInfos(entries);
  const layout = locateManifest(infos);
  const xml = entries.find((e) => e.name === layout.manifestEntry)?.data;
  if (!xml) {
    throw new Error('manifest entry not found');
  }
  return parseManifest(xml, new PackageFiles(infos, layout.rootPrefix));
}

function fileList(...names: string[]): PackageFiles {
  const infos: ZipEntryInfo[] = names.map((name) => ({ name, isDirectory: false, uncompressedSize: 1, compressedSize: 1 }));
  return new PackageFiles(infos, '');
}

/** A 1.2 manifest around the given organizations/resources XML. */
function manifest12(body: string, attrs = ''): Buffer {
  return Buffer.from(`<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" ${attrs}>
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  ${body}
</manifest>`);
}

function oneSco(href: string, extra = ''): Buffer {
  return manifest12(`<organizations default="O"><organization identifier="O"><title>T</title>
    <item identifier="I1" identifierref="R1"><title>One</title></item></organization></organizations>
    <resources><resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="${href}"/>${extra}</resources>`);
}

function errorOf(fn: () => unknown): PackageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PackageError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected a PackageError');
}

async function fixtureError(name: string): Promise<PackageError> {
  try {
    await parseFixture(name);
  } catch (err) {
    if (err instanceof PackageError) {
      return err;
    }
    throw err;
  }
  throw new Error(`expected fixture ${name} to be rejected`);
}

/** The item with this identifier; a test that names a missing item fails here. */
function itemOf(items: ManifestItem[], id: string): ManifestItem {
  const item = findItem(items, id);
  if (!item) {
    throw new Error(`no item ${id}`);
  }
  return item;
}

const codes = (w: { code: string }[]): string[] => w.map((x) => x.code);

describe('parseManifest', () => {
  describe('fixtures', () => {
    it('should parse scorm12-single-sco', async () => {
      const { manifest, warnings } = await parseFixture('scorm12-single-sco');
      expect(warnings).toEqual([]);
      expect(manifest).toMatchObject<Partial<ParsedManifest>>({
        scormVersion: '1.2',
        edition: null,
        schemaversion: '1.2',
        versionSource: 'schemaversion',
        identifier: 'MANIFEST-SCORM12-SINGLE',
        title: 'Single SCO course (SCORM 1.2)',
        organizationId: 'ORG-1',
      });
      expect(manifest.scos).toEqual([{ itemId: 'ITEM-1', title: 'The only lesson', launchUrl: 'index.html', scormType: 'sco', resourceId: 'RES-1', isVisible: true }]);
      expect(manifest.resources).toEqual([{ identifier: 'RES-1', type: 'webcontent', scormType: 'sco', href: 'index.html', files: ['index.html', 'sco.js'], dependencies: [] }]);
    });

    it('should parse scorm12-multi-sco: default organization, tree, trimmed adlcp data', async () => {
      const { manifest, warnings } = await parseFixture('scorm12-multi-sco');
      expect(warnings).toEqual([]);
      expect(manifest.organizationId).toBe('ORG-MAIN');
      expect(manifest.title).toBe('Multi SCO course (SCORM 1.2)');
      expect(manifest.items.map((i) => i.identifier)).toEqual(['MODULE-1', 'MODULE-2']);
      expect(manifest.items[0].launchUrl).toBeUndefined();
      expect(manifest.scos.map((s) => [s.itemId, s.launchUrl])).toEqual([
        ['ITEM-1', 'sco1.html'],
        ['ITEM-2', 'sco2.html'],
        ['ITEM-3', 'module2/sco3.html'],
      ]);
      expect(itemOf(manifest.items, 'ITEM-1')).toMatchObject({
        masteryScore: 80,
        dataFromLms: 'launch data for lesson 1',
        maxTimeAllowed: '00:30:00',
        timeLimitAction: 'exit,message',
        launchFile: 'sco1.html',
      });
      expect(itemOf(manifest.items, 'ITEM-2').prerequisites).toBe('ITEM-1');
      expect(itemOf(manifest.items, 'ITEM-3')).toMatchObject({ prerequisites: 'ITEM-1&ITEM-2', masteryScore: 75.5 });
      expect(manifest.resources.find((r) => r.identifier === 'RES-COMMON')).toMatchObject({ scormType: 'asset', files: ['sco.js'] });
      expect(manifest.resources.find((r) => r.identifier === 'RES-SCO1')?.dependencies).toEqual(['RES-COMMON']);
    });

    it('should detect SCORM 2004 2nd edition from "CAM 1.3"', async () => {
      const { manifest } = await parseFixture('scorm2004-2nd');
      expect(manifest).toMatchObject({ scormVersion: '2004', edition: '2nd', schemaversion: 'CAM 1.3' });
      expect(manifest.items[0].dataFromLms).toBe('mode=review');
    });

    it('should parse scorm2004-3rd-single-sco: threshold as text, default passing score 1.0', async () => {
      const { manifest, warnings } = await parseFixture('scorm2004-3rd-single-sco');
      expect(manifest).toMatchObject({ scormVersion: '2004', edition: '3rd' });
      expect(manifest.items[0]).toMatchObject({
        completionThreshold: { completedByMeasure: true, minProgressMeasure: 0.8, progressWeight: 1, source: 'element-text' },
        dataFromLms: 'start=1',
        timeLimitAction: 'continue,no message',
        maxTimeAllowed: 'PT1H30M',
        primaryObjectiveId: 'PRIMARY-OBJ',
        scaledPassingScore: 1,
        objectiveIds: ['PRIMARY-OBJ', 'OBJ-A'],
      });
      expect(codes(warnings)).toEqual(['passing_score_defaulted']);
    });

    it('should parse scorm2004-4th-multi-sco: attributes, objectives, hideLMSUI, sequencing, assets, hidden items', async () => {
      const { manifest, warnings } = await parseFixture('scorm2004-4th-multi-sco');
      expect(warnings).toEqual([]);
      expect(manifest).toMatchObject({ scormVersion: '2004', edition: '4th' });
      expect(manifest.scos.map((s) => [s.itemId, s.scormType, s.isVisible])).toEqual([
        ['INTRO', 'sco', true],
        ['LESSON', 'sco', true],
        ['GLOSSARY', 'asset', true],
        ['REMEDIATION', 'sco', false],
        ['QUIZ', 'sco', true],
      ]);
      expect(itemOf(manifest.items, 'INTRO').hideLmsUi).toEqual(['previous', 'abandon']);
      const lesson = itemOf(manifest.items, 'LESSON');
      expect(lesson.completionThreshold).toEqual({ completedByMeasure: true, minProgressMeasure: 0.75, progressWeight: 0.5, source: 'attributes' });
      // The primary objective and time limit come from the sequencingCollection entry named by IDRef.
      expect(lesson).toMatchObject({ primaryObjectiveId: 'LESSON-DONE', scaledPassingScore: 0.5, maxTimeAllowed: 'PT45M', sequencing: { '@IDRef': 'SEQ-COMMON' } });
      const quiz = itemOf(manifest.items, 'QUIZ');
      expect(quiz).toMatchObject({
        scaledPassingScore: 0.6,
        primaryObjectiveId: 'QUIZ-PASSED',
        objectiveIds: ['QUIZ-PASSED', 'QUIZ-SECTION-1', 'QUIZ-SECTION-2'],
        hideLmsUi: ['continue', 'previous'],
        timeLimitAction: 'exit,message',
      });
      expect(quiz.sequencing).toMatchObject({
        sequencingRules: [{ preConditionRule: [{ ruleConditions: [{ '@conditionCombination': 'any', ruleCondition: [{ '@condition': 'satisfied' }] }], ruleAction: [{ '@action': 'disabled' }] }] }],
        limitConditions: [{ '@attemptLimit': '3' }],
      });
      expect(itemOf(manifest.items, 'MODULE').sequencing).toMatchObject({ controlMode: [{ '@choice': 'true', '@flow': 'true' }] });
      expect(manifest.sequencingCollection).toMatchObject({ sequencing: [{ '@ID': 'SEQ-COMMON' }] });
      expect(manifest.organizationSequencing).toMatchObject({ controlMode: [{ '@choice': 'true' }] });
      expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
    });

    it('should join the xml:base chain of manifest, resources and resource', async () => {
      const { manifest, warnings } = await parseFixture('xml-base');
      expect(warnings).toEqual([]);
      expect(manifest.scos.map((s) => s.launchUrl)).toEqual(['course/content/unit1/page.html', 'course/unit2/start.html', 'other/external.html']);
      expect(manifest.resources[0].files).toEqual(['course/content/unit1/page.html']);
    });

    it('should join item parameters by the CAM rule', async () => {
      const { manifest } = await parseFixture('parameters');
      expect(Object.fromEntries(manifest.scos.map((s) => [s.itemId, s.launchUrl]))).toEqual({
        'P-QUESTION': 'launch.html?tc=CM-09ba&act=1',
        'P-AMP': 'launch.html?act=2',
        'P-HASH': 'launch.html#chapter2',
        'P-PLAIN': 'query.html?lang=en&act=3',
        'P-HASH-DROPPED': 'fragment.html#start',
        'P-QUERY-BEFORE-FRAGMENT': 'fragment.html?act=4#start',
        'P-NONE': 'launch.html',
      });
      expect(itemOf(manifest.items, 'P-AMP')).toMatchObject({ parameters: '&act=2', launchFile: 'launch.html' });
    });

    it('should accept the quirks package with warnings', async () => {
      const { manifest, warnings } = await parseFixture('quirks');
      expect(manifest).toMatchObject({ scormVersion: '2004', edition: '3rd', versionSource: 'namespaces', title: 'Quirky course' });
      expect(manifest.schemaversion).toBeUndefined();
      expect(codes(warnings).sort()).toEqual(['missing_file', 'namespace_undeclared', 'path_case_mismatch', 'schemaversion_missing']);
      expect(warnings.find((w) => w.code === 'namespace_undeclared')?.message).toContain('prefix "adlcp:" without declaring it (no xmlns:adlcp)');
      expect(warnings.find((w) => w.code === 'missing_file')?.path).toBe('images/missing-image.png');
      expect(warnings.find((w) => w.code === 'path_case_mismatch')?.message).toContain('"Index.HTML"');
      const home = itemOf(manifest.items, 'HOME');
      expect(home).toMatchObject({ title: 'HOME', launchFile: 'index.html', launchUrl: 'index.html', scormType: 'sco' });
      expect(itemOf(manifest.items, 'LECON-ENCODED')).toMatchObject({ launchFile: 'Leçon 1/page un.html', launchUrl: 'Le%C3%A7on%201/page%20un.html?from=encoded' });
      expect(itemOf(manifest.items, 'LECON-RAW')).toMatchObject({ launchFile: 'Leçon 1/page un.html', launchUrl: 'Le%C3%A7on%201/page%20un.html' });
      expect(manifest.resources[0].files).toEqual(['index.html', 'sco.js', 'images/missing-image.png']);
    });

    it('should find a non-ASCII launch file stored in NFD (macOS zips)', async () => {
      const { manifest } = await parseFixture('quirks', {
        drop: ['Leçon 1'],
        files: { ['Leçon 1/page un.html'.normalize('NFD')]: '<p>nfd</p>' },
      });
      expect(itemOf(manifest.items, 'LECON-RAW').launchFile).toBe('Leçon 1/page un.html'.normalize('NFD'));
    });

    it('should parse a manifest inside a sub-folder relative to that folder', async () => {
      const { manifest } = await parseFixture('manifest-in-subfolder');
      expect(manifest.scos[0].launchUrl).toBe('index.html');
    });

    it('should make one item per SCO resource for a resource package, titled from LOM', async () => {
      const { manifest, warnings } = await parseFixture('resource-only');
      expect(manifest.organizationId).toBeNull();
      expect(manifest.title).toBe('Resource-only package');
      expect(manifest.scos.map((s) => [s.itemId, s.launchUrl])).toEqual([
        ['RES-FIRST', 'first.html'],
        ['RES-SECOND', 'second.html'],
      ]);
      expect(codes(warnings)).toEqual(['no_organization']);
    });

    it.each([
      ['no-launchable-item', 'no_launchable_item', '"ORG-1"'],
      ['launch-target-missing', 'launch_target_missing', '"lesson2/start.html" of item "ITEM-2"'],
      ['malformed-xml', 'manifest_malformed', 'line 11, column 5'],
    ])('should reject %s with %s (422) naming the fault', async (name, code, named) => {
      const err = await fixtureError(name);
      expect(err.code).toBe(code);
      expect(err.status).toBe(422);
      expect(err.message).toContain(named);
    });
  });

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
      ['a file cut short', Buffer.from('<manifest identifier="M"><organizations><organization identifier="O">'), 'ends before the elements <manifest>, <organizations>, <organization> are closed'],
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
      const bare = Buffer.from(`<manifest identifier="M"><organizations><organization identifier="O"><item identifier="I" identifierref="R"/></organization></organizations>
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
      const xml = manifest12(`<organizations><organization identifier="O"><item identifier="I" identifierref="GHOST"/></organization></organizations><resources/>`);
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

  describe('hrefs', () => {
    it.each(['../outside.html', '/etc/passwd', 'javascript:alert(1)', 'a/%2e%2e/%2e%2e/x.html'])('should refuse the unsafe launch href %p with manifest_unsafe_href', (href) => {
      const err = errorOf(() => parseManifest(oneSco(href), fileList('a.html')));
      expect(err.code).toBe('manifest_unsafe_href');
      expect(err.status).toBe(422);
      expect(err.message).toContain('item "I1"');
    });

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
