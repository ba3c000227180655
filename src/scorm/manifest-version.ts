import type { ImportWarning, Scorm2004Edition, ScormVersion } from './manifest.types';
import { attrNamed, childNamed, cleanText, walkElements, type XmlElement } from './manifest-xml';

export interface DetectedVersion {
  scormVersion: ScormVersion;
  edition: Scorm2004Edition | null;
  /** The schemaversion text as written (trimmed), if any. */
  schemaversion?: string;
  /** What decided: the schemaversion text, the namespaces/elements used, or the 1.2 default. */
  source: 'schemaversion' | 'namespaces' | 'default';
  warnings: ImportWarning[];
}

const NS_2004 = [
  'http://www.adlnet.org/xsd/adlcp_v1p3',
  'http://www.imsglobal.org/xsd/imsss',
  'http://www.adlnet.org/xsd/adlseq_v1p3',
  'http://www.adlnet.org/xsd/adlnav_v1p3',
  'http://www.imsglobal.org/xsd/imscp_v1p1',
];
const NS_12 = ['http://www.adlnet.org/xsd/adlcp_rootv1p2', 'http://www.imsproject.org/xsd/imscp_rootv1p1p2'];
const PREFIX_2004 = new Set(['imsss', 'adlseq', 'adlnav']);
/** 2004-only adlcp/imsss element names, compared case-sensitively (1.2 has `datafromlms`, `timelimitaction`). */
const ELEMENTS_2004 = new Set(['sequencing', 'sequencingCollection', 'completionThreshold', 'dataFromLMS', 'timeLimitAction']);

/**
 * Maps a schemaversion text to a version (src/scorm/README.md table; Moodle's scormlib accepts the
 * same spellings). Case and spacing are ignored; "2004 2nd Edition" is accepted as a synonym.
 */
export function versionFromSchemaversion(text: string): { scormVersion: ScormVersion; edition: Scorm2004Edition | null } | undefined {
  const t = text.replace(/\s+/g, ' ').trim().toLowerCase();
  if (/^1\.2(\.0)?$/.test(t)) {
    return { scormVersion: '1.2', edition: null };
  }
  if (/^(cam )?1\.3(\.0)?$/.test(t) || t === '2004 2nd edition') {
    return { scormVersion: '2004', edition: '2nd' };
  }
  const m = /^(?:scorm )?2004 (3rd|4th) edition$/.exec(t);
  return m ? { scormVersion: '2004', edition: m[1] as Scorm2004Edition } : undefined;
}

/**
 * Decides the SCORM version and edition from `<metadata><schemaversion>` and, when that is missing or
 * unknown, from namespaces and elements (src/scorm/README.md): any imsss/adlseq/adlnav element, a
 * 2004 namespace URI, `scormType` with a capital T or a 2004-only adlcp element means 2004; otherwise
 * 1.2, as Moodle does. The version picks the API object the SCO looks for, so a wrong guess breaks the
 * course: the warning says what was assumed. Without a schemaversion the 2004 edition is taken as 4th
 * when a 4th-edition-only form is used (completionThreshold attributes, adlcp:data), else 3rd.
 */
export function detectVersion(root: XmlElement): DetectedVersion {
  const schemaversion = cleanText(childNamed(childNamed(root, 'metadata'), 'schemaversion')) || undefined;
  const signals = scan(root);
  const warnings: ImportWarning[] = [];
  const fromText = schemaversion === undefined ? undefined : versionFromSchemaversion(schemaversion);
  if (fromText) {
    if (fromText.scormVersion === '1.2' && signals.has2004) {
      warnings.push({
        code: 'schemaversion_conflict',
        message: `schemaversion says "${schemaversion}" but the manifest uses SCORM 2004 elements or namespaces (${signals.evidence2004}); it is played as SCORM 1.2, as declared.`,
        path: 'manifest/metadata/schemaversion',
      });
    }
    return { ...fromText, schemaversion, source: 'schemaversion', warnings };
  }
  let result: Omit<DetectedVersion, 'warnings' | 'schemaversion'>;
  if (signals.has2004) {
    result = { scormVersion: '2004', edition: signals.has4th ? '4th' : '3rd', source: 'namespaces' };
  } else if (signals.has12) {
    result = { scormVersion: '1.2', edition: null, source: 'namespaces' };
  } else {
    result = { scormVersion: '1.2', edition: null, source: 'default' };
  }
  const assumed =
    result.scormVersion === '2004'
      ? `SCORM 2004 ${result.edition} edition was assumed from ${signals.evidence2004}`
      : result.source === 'namespaces'
        ? 'SCORM 1.2 was assumed from its namespaces'
        : 'SCORM 1.2 was assumed';
  warnings.push(
    schemaversion === undefined
      ? { code: 'schemaversion_missing', message: `The manifest has no <schemaversion>; ${assumed}.`, path: 'manifest/metadata' }
      : { code: 'schemaversion_unknown', message: `The schemaversion "${schemaversion}" is not a SCORM version; ${assumed}.`, path: 'manifest/metadata/schemaversion' },
  );
  return { ...result, schemaversion, warnings };
}

function scan(root: XmlElement): { has2004: boolean; has12: boolean; has4th: boolean; evidence2004: string } {
  const evidence: string[] = [];
  let has12 = false;
  let has4th = false;
  const note = (what: string): void => {
    if (!evidence.includes(what) && evidence.length < 3) {
      evidence.push(what);
    }
  };
  for (const el of walkElements(root)) {
    for (const uri of el.declares.values()) {
      if (NS_2004.includes(uri)) {
        note(`the namespace ${uri}`);
      } else if (NS_12.includes(uri)) {
        has12 = true;
      }
    }
    if (PREFIX_2004.has(el.prefix.toLowerCase()) || (el.ns !== undefined && NS_2004.slice(1, 4).includes(el.ns))) {
      note(`<${el.name}>`);
    } else if (ELEMENTS_2004.has(el.local)) {
      note(`<${el.name}>`);
    }
    if (el.key === 'completionthreshold' && (attrNamed(el, 'minProgressMeasure') !== undefined || attrNamed(el, 'completedByMeasure') !== undefined)) {
      has4th = true;
    }
    if (el.key === 'data' && el.prefix.toLowerCase() === 'adlcp') {
      has4th = true;
    }
    for (const a of el.attrs) {
      if (a.local === 'scormType') {
        note(`the attribute ${a.name} (capital T)`);
      }
    }
  }
  return { has2004: evidence.length > 0, has12, has4th, evidence2004: evidence.join(', ') };
}
