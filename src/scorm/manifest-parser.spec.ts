import { PackageError } from '../common/errors';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FIXTURE_PACKAGES_DIR, fixtureEntries, toZipEntryInfos, type FixtureZipOptions } from '../../test/support/scorm-package.builder';
import { codes, itemOf } from '../../test/support/manifest-spec-helpers';
import { parseManifest } from './manifest-parser';
import type { ParsedManifest } from './manifest.types';
import { locateManifest, PackageFiles } from './package-layout';

/**
 * parseManifest on the packages of fixtures/packages, zipped at test time. The other topics have
 * their own specs: manifest-xml, manifest-version, manifest-organization and manifest-hrefs.
 */

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

async function readFixtureManifest(name: string): Promise<string> {
  return fs.readFile(path.join(FIXTURE_PACKAGES_DIR, name, 'imsmanifest.xml'), 'utf8');
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
      expect(manifest.scos).toEqual([
        { itemId: 'ITEM-1', title: 'The only lesson', launchUrl: 'index.html', scormType: 'sco', resourceId: 'RES-1', isVisible: true },
      ]);
      expect(manifest.resources).toEqual([
        { identifier: 'RES-1', type: 'webcontent', scormType: 'sco', href: 'index.html', files: ['index.html', 'sco.js'], dependencies: [] },
      ]);
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
      expect(lesson).toMatchObject({
        primaryObjectiveId: 'LESSON-DONE',
        scaledPassingScore: 0.5,
        maxTimeAllowed: 'PT45M',
        sequencing: { '@IDRef': 'SEQ-COMMON' },
      });
      const quiz = itemOf(manifest.items, 'QUIZ');
      expect(quiz).toMatchObject({
        scaledPassingScore: 0.6,
        primaryObjectiveId: 'QUIZ-PASSED',
        objectiveIds: ['QUIZ-PASSED', 'QUIZ-SECTION-1', 'QUIZ-SECTION-2'],
        hideLmsUi: ['continue', 'previous'],
        timeLimitAction: 'exit,message',
      });
      expect(quiz.sequencing).toMatchObject({
        sequencingRules: [
          {
            preConditionRule: [
              { ruleConditions: [{ '@conditionCombination': 'any', ruleCondition: [{ '@condition': 'satisfied' }] }], ruleAction: [{ '@action': 'disabled' }] },
            ],
          },
        ],
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
      expect(itemOf(manifest.items, 'LECON-ENCODED')).toMatchObject({
        launchFile: 'Leçon 1/page un.html',
        launchUrl: 'Le%C3%A7on%201/page%20un.html?from=encoded',
      });
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

    it('should keep the LOM description of a 2004 manifest (first non-empty string, white space collapsed)', async () => {
      const xml = (await readFixtureManifest('resource-only')).replace(
        '</title>\n      </general>',
        '</title>\n        <description><string language="fr"> </string><string language="en-US">Hands-on safety\n   training, with a final quiz.</string></description>\n      </general>',
      );
      const { manifest } = await parseFixture('resource-only', { files: { 'imsmanifest.xml': xml } });
      expect(manifest.description).toBe('Hands-on safety training, with a final quiz.');
    });

    it('should keep the LOM description of a 1.2 manifest (langstring), cut at 2000 characters, and none when absent', async () => {
      const long = 'x'.repeat(2500);
      const xml = (await readFixtureManifest('scorm12-single-sco')).replace(
        '<schemaversion>1.2</schemaversion>',
        `<schemaversion>1.2</schemaversion><imsmd:lom xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"><imsmd:general><imsmd:description><imsmd:langstring xml:lang="en">${long}</imsmd:langstring></imsmd:description></imsmd:general></imsmd:lom>`,
      );
      const { manifest } = await parseFixture('scorm12-single-sco', { files: { 'imsmanifest.xml': xml } });
      expect(manifest.description).toHaveLength(2000);
      expect(manifest.description?.endsWith('x…')).toBe(true);
      expect((await parseFixture('scorm12-single-sco')).manifest.description).toBeUndefined();
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
});
