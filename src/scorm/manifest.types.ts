/**
 * The parsed form of `imsmanifest.xml` stored with each course version (src/scorm/README.md).
 * Everything the player and grading need later is here, so the XML is never parsed again.
 */
export type ScormVersion = '1.2' | '2004';
export type Scorm2004Edition = '2nd' | '3rd' | '4th';

export interface ImportWarning {
  /** snake_case, stable, e.g. `manifest_in_subfolder`, `missing_file`, `path_case_mismatch` */
  code: string;
  message: string;
  /** The file or manifest element concerned, when there is one. */
  path?: string;
}

export interface CompletionThreshold {
  completedByMeasure: boolean;
  minProgressMeasure: number;
  progressWeight: number;
  /**
   * Which form the manifest used: 4th-edition attributes, or the 3rd-edition element text (then
   * `completedByMeasure` is true and `minProgressMeasure` holds the text value).
   */
  source?: 'attributes' | 'element-text';
}

export interface ManifestItem {
  identifier: string;
  title: string;
  isVisible: boolean;
  /** The item's raw `parameters` attribute. */
  parameters?: string;
  /** `identifierref`; absent for an aggregation (cluster). */
  resourceId?: string;
  /**
   * Launch URL relative to the package root (xml:base chain + href + parameters, CAM rule), with the
   * on-disk case of the file; or an absolute http(s) URL for external content. Absent for clusters.
   */
  launchUrl?: string;
  /** The package-relative file path of the launch target (no query/fragment), absent for external URLs. */
  launchFile?: string;
  scormType?: 'sco' | 'asset';
  children: ManifestItem[];
  // SCORM 1.2 (adlcp)
  masteryScore?: number;
  dataFromLms?: string;
  /** 1.2 `adlcp:maxtimeallowed` (CMITimespan); 2004 `imsss:limitConditions@attemptAbsoluteDurationLimit` (ISO 8601). */
  maxTimeAllowed?: string;
  timeLimitAction?: string;
  prerequisites?: string;
  // SCORM 2004
  completionThreshold?: CompletionThreshold;
  /** From the primary objective when satisfiedByMeasure="true" (minNormalizedMeasure, default 1.0). */
  scaledPassingScore?: number;
  primaryObjectiveId?: string;
  objectiveIds?: string[];
  /** adlnav:presentation/navigationInterface/hideLMSUI values */
  hideLmsUi?: string[];
  /**
   * The raw `imsss:sequencing` element, kept for a later sequencing engine, in a plain JSON form:
   * prefixes dropped, attributes as `@name`, children as arrays under their local name, text as
   * `#text` (see toPlainObject in manifest-xml.ts). An `@IDRef` points into `sequencingCollection`.
   */
  sequencing?: unknown;
  /** `adlcp:data/adlcp:map`: the shared data stores (`adl.data`) the item reaches, with CAM defaults applied. */
  sharedData?: SharedDataMap[];
}

/** One `adlcp:map` of an item's `adlcp:data` (CAM 4th ed.; readSharedData and writeSharedData default to true). */
export interface SharedDataMap {
  targetId: string;
  readSharedData: boolean;
  writeSharedData: boolean;
}

export interface ManifestResource {
  identifier: string;
  type?: string;
  scormType: 'sco' | 'asset';
  /** The resource href joined with the xml:base chain, relative to the package root (or absolute URL). */
  href?: string;
  files: string[];
  dependencies: string[];
}

/** A launchable leaf item of the delivered organization, in document (flow) order. */
export interface ScoSummary {
  itemId: string;
  title: string;
  launchUrl: string;
  scormType: 'sco' | 'asset';
  resourceId: string;
  isVisible: boolean;
}

export interface ParsedManifest {
  scormVersion: ScormVersion;
  edition: Scorm2004Edition | null;
  schemaversion?: string;
  identifier: string;
  title: string;
  /** The manifest's LOM `general/description`, when it has one (shown in the Deep Linking picker). */
  description?: string;
  organizationId: string | null;
  /** Item tree of the delivered (default) organization. */
  items: ManifestItem[];
  resources: ManifestResource[];
  scos: ScoSummary[];
  /** Raw `imsss:sequencingCollection`, if any (same plain form as ManifestItem.sequencing). */
  sequencingCollection?: unknown;
  /** The delivered organization's own `imsss:sequencing`, if any (same plain form). */
  organizationSequencing?: unknown;
  /** `adlseq:objectivesGlobalToSystem` of the delivered organization (default true). */
  objectivesGlobalToSystem?: boolean;
  /** `adlcp:sharedDataGlobalToSystem` of the delivered organization (default true). */
  sharedDataGlobalToSystem?: boolean;
  /** What decided the version: the schemaversion text, the namespaces/elements used, or the 1.2 default. */
  versionSource?: 'schemaversion' | 'namespaces' | 'default';
}
