import { PackageError } from '../common/errors';
import { appendParameters, applyXmlBase, decodePath, encodePath, PACKAGE_ROOT, resolveRef, type HrefBase, type ResolvedRef } from './launch-url';
import type { CompletionThreshold, ImportWarning, ManifestItem, ManifestResource, ParsedManifest, ScoSummary } from './manifest.types';
import { detectVersion, type DetectedVersion } from './manifest-version';
import { walkItems } from './manifest-items';
import { attrNamed, childNamed, childrenNamed, cleanText, parseXml, pathNamed, toPlainObject, undeclaredPrefixes, xmlBase, type XmlElement } from './manifest-xml';
import type { PackageFiles } from './package-layout';

/** At most this many warnings of one code are listed; the rest are counted in one summary line. */
const MAX_WARNINGS_PER_CODE = 20;
/** Sub-manifests nested deeper than this are not inlined. */
const MAX_SUBMANIFEST_DEPTH = 5;

type Unsafe = { kind: 'unsafe'; reason: string };

interface ResourceInfo {
  out: ManifestResource;
  href?: string;
  launch?: ResolvedRef;
}

interface Scope {
  el: XmlElement;
  base: HrefBase | Unsafe;
  resources: Map<string, ResourceInfo>;
  subManifests: Map<string, Scope>;
  depth: number;
}

/**
 * Parses imsmanifest.xml of SCORM 1.2 and 2004 (2nd–4th ed.) into a ParsedManifest, checking launch
 * targets against the package files. Accepts what can be played, with warnings; throws PackageError
 * (422) naming the file or element when the package cannot be played (SCORM-CHECKLIST §1, §7;
 * DESIGN §9.6): `manifest_malformed`, `manifest_invalid`, `no_launchable_item`,
 * `launch_target_missing`, `manifest_unsafe_href`.
 */
export function parseManifest(xml: Buffer, files: PackageFiles): { manifest: ParsedManifest; warnings: ImportWarning[] } {
  const root = parseXml(xml);
  if (root.key !== 'manifest') {
    throw new PackageError('manifest_invalid', `The root element of imsmanifest.xml is <${root.name}>, not <manifest>; this is not an IMS content package manifest.`);
  }
  const warnings = new WarningList();
  const version = detectVersion(root);
  version.warnings.forEach((w) => warnings.add(w.code, w.message, w.path));
  const undeclared = undeclaredPrefixes(root);
  if (undeclared.length > 0) {
    const named = undeclared.map((p) => `"${p}:"`).join(', ');
    const declarations = undeclared.map((p) => `xmlns:${p}`).join(', ');
    warnings.add(
      'namespace_undeclared',
      `imsmanifest.xml uses the namespace prefix${undeclared.length > 1 ? 'es' : ''} ${named} without declaring ${undeclared.length > 1 ? 'them' : 'it'} (no ${declarations}); the manifest was read by local names, but a stricter LMS or validator may refuse the package.`,
      'manifest',
    );
  }
  return new ManifestReader(root, files, version, warnings).read();
}

class WarningList {
  private readonly items: ImportWarning[] = [];
  private readonly counts = new Map<string, number>();
  private readonly seen = new Set<string>();

  add(code: string, message: string, path?: string): void {
    const key = `${code}\0${message}`;
    if (this.seen.has(key)) {
      return;
    }
    this.seen.add(key);
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n <= MAX_WARNINGS_PER_CODE) {
      this.items.push(path === undefined ? { code, message } : { code, message, path });
    }
  }

  list(): ImportWarning[] {
    const out = [...this.items];
    for (const [code, n] of this.counts) {
      if (n > MAX_WARNINGS_PER_CODE) {
        out.push({ code, message: `…and ${n - MAX_WARNINGS_PER_CODE} more "${code}" warning(s) like the ones above.` });
      }
    }
    return out;
  }
}

class ManifestReader {
  private readonly allResources: ResourceInfo[] = [];
  private readonly globalResources = new Map<string, ResourceInfo>();
  private readonly sequencingById = new Map<string, XmlElement>();
  private readonly itemIds = new Set<string>();
  private generatedIds = 0;

  constructor(
    private readonly root: XmlElement,
    private readonly files: PackageFiles,
    private readonly version: DetectedVersion,
    private readonly warnings: WarningList,
  ) {}

  read(): { manifest: ParsedManifest; warnings: ImportWarning[] } {
    const identifier = attrNamed(this.root, 'identifier')?.trim() || 'MANIFEST';
    const scope = this.buildScope(this.root, PACKAGE_ROOT, 0);
    const collection = childNamed(this.root, 'sequencingCollection');
    for (const seq of childrenNamed(collection, 'sequencing')) {
      const id = attrNamed(seq, 'ID')?.trim();
      if (id) {
        this.sequencingById.set(id, seq);
      }
    }

    const org = this.pickOrganization(this.root, 'manifest');
    let items: ManifestItem[];
    let orgTitle = '';
    if (org) {
      orgTitle = cleanText(childNamed(org, 'title'));
      items = childrenNamed(org, 'item').map((el) => this.buildItem(el, scope));
    } else {
      items = this.itemsFromResources(scope);
    }

    const scos: ScoSummary[] = [];
    for (const { item } of walkItems(items)) {
      if (item.launchUrl !== undefined && item.resourceId !== undefined && item.scormType !== undefined) {
        scos.push({ itemId: item.identifier, title: item.title, launchUrl: item.launchUrl, scormType: item.scormType, resourceId: item.resourceId, isVisible: item.isVisible });
      }
    }
    if (scos.length === 0) {
      throw new PackageError(
        'no_launchable_item',
        org
          ? `The organization "${attrNamed(org, 'identifier') ?? ''}" has no item that refers to a resource, so there is nothing to launch; give at least one <item> an identifierref.`
          : 'The manifest has no organization and no resource with adlcp:scormType="sco", so there is nothing to launch.',
      );
    }

    const orgSequencing = childNamed(org, 'sequencing');
    const manifest: ParsedManifest = {
      scormVersion: this.version.scormVersion,
      edition: this.version.edition,
      ...(this.version.schemaversion !== undefined ? { schemaversion: this.version.schemaversion } : {}),
      versionSource: this.version.source,
      identifier,
      title: orgTitle || lomTitle(this.root) || identifier,
      organizationId: org ? (attrNamed(org, 'identifier')?.trim() ?? null) : null,
      items,
      resources: this.allResources.map((r) => r.out),
      scos,
      ...(collection ? { sequencingCollection: toPlainObject(collection) } : {}),
      ...(orgSequencing ? { organizationSequencing: toPlainObject(orgSequencing) } : {}),
    };
    return { manifest, warnings: this.warnings.list() };
  }

  /** `<organizations default>` names the delivered organization; else the first (SCORM-CHECKLIST §1.3). */
  private pickOrganization(manifestEl: XmlElement, where: string): XmlElement | undefined {
    const orgsEl = childNamed(manifestEl, 'organizations');
    const orgs = childrenNamed(orgsEl, 'organization');
    if (orgs.length === 0) {
      return undefined;
    }
    const wanted = attrNamed(orgsEl, 'default')?.trim();
    if (wanted) {
      const found = orgs.find((o) => attrNamed(o, 'identifier')?.trim() === wanted);
      if (found) {
        return found;
      }
      this.warnings.add(
        'default_organization_missing',
        `<organizations default="${wanted}"> names no organization of the ${where}; the first organization "${attrNamed(orgs[0], 'identifier') ?? ''}" is delivered.`,
        'organizations',
      );
    }
    return orgs[0];
  }

  private buildScope(manifestEl: XmlElement, parentBase: HrefBase | Unsafe, depth: number): Scope {
    const base = parentBase.kind === 'unsafe' ? parentBase : applyXmlBase(parentBase, xmlBase(manifestEl));
    const scope: Scope = { el: manifestEl, base, resources: new Map(), subManifests: new Map(), depth };
    const resourcesEl = childNamed(manifestEl, 'resources');
    const resBase = base.kind === 'unsafe' ? base : applyXmlBase(base, xmlBase(resourcesEl));
    for (const resEl of childrenNamed(resourcesEl, 'resource')) {
      const info = this.buildResource(resEl, resBase);
      if (!info) {
        continue;
      }
      scope.resources.set(info.out.identifier, info);
      if (!this.globalResources.has(info.out.identifier)) {
        this.globalResources.set(info.out.identifier, info);
      }
    }
    for (const sub of childrenNamed(manifestEl, 'manifest')) {
      const id = attrNamed(sub, 'identifier')?.trim();
      if (!id) {
        this.warnings.add('submanifest_ignored', 'A nested <manifest> has no identifier, so no item can refer to it; it is ignored.', 'manifest/manifest');
      } else if (depth + 1 > MAX_SUBMANIFEST_DEPTH) {
        this.warnings.add('submanifest_ignored', `The nested manifest "${id}" is more than ${MAX_SUBMANIFEST_DEPTH} levels deep; it is ignored.`, `manifest[${id}]`);
      } else {
        scope.subManifests.set(id, this.buildScope(sub, base, depth + 1));
      }
    }
    for (const info of scope.resources.values()) {
      for (const dep of info.out.dependencies) {
        if (!scope.resources.has(dep) && !this.globalResources.has(dep)) {
          this.warnings.add('unresolved_dependency', `Resource "${info.out.identifier}" depends on "${dep}", which the manifest does not define.`, `resource[${info.out.identifier}]`);
        }
      }
    }
    return scope;
  }

  private buildResource(resEl: XmlElement, resourcesBase: HrefBase | Unsafe): ResourceInfo | undefined {
    const identifier = attrNamed(resEl, 'identifier')?.trim();
    if (!identifier) {
      this.warnings.add('resource_identifier_missing', 'A <resource> has no identifier, so no item can use it; it is ignored.', 'resources/resource');
      return undefined;
    }
    const rawType = attrNamed(resEl, 'scormtype')?.trim().toLowerCase();
    if (rawType !== undefined && rawType !== 'sco' && rawType !== 'asset') {
      this.warnings.add('unknown_scorm_type', `Resource "${identifier}" has scormType "${rawType}"; it is treated as an asset.`, `resource[${identifier}]`);
    }
    const scormType: 'sco' | 'asset' = rawType === 'sco' ? 'sco' : 'asset';
    const base = resourcesBase.kind === 'unsafe' ? resourcesBase : applyXmlBase(resourcesBase, xmlBase(resEl));
    const href = attrNamed(resEl, 'href')?.trim() || undefined;

    const out: ManifestResource = { identifier, scormType, files: [], dependencies: [] };
    const type = attrNamed(resEl, 'type')?.trim();
    if (type) {
      out.type = type;
    }
    let launch: ResolvedRef | undefined;
    if (href !== undefined) {
      launch = base.kind === 'unsafe' ? base : resolveRef(base, href);
      if (launch.kind === 'external') {
        out.href = launch.url;
      } else if (launch.kind === 'package') {
        const found = this.files.find(decodePath(launch.path)) ?? this.files.find(launch.path);
        out.href = encodePath(found?.stored ?? decodePath(launch.path)) + launch.query + launch.fragment;
      }
      if (launch.kind !== 'unsafe' && launch.backslashes) {
        this.warnings.add('href_backslash', `The href "${href}" of resource "${identifier}" uses "\\"; it was read as "/".`, `resource[${identifier}]`);
      }
    }
    for (const fileEl of childrenNamed(resEl, 'file')) {
      const fileHref = attrNamed(fileEl, 'href')?.trim();
      if (!fileHref) {
        continue;
      }
      const r = base.kind === 'unsafe' ? base : resolveRef(base, fileHref);
      if (r.kind === 'unsafe') {
        this.warnings.add('unsafe_file_href', `The <file href="${fileHref}"> of resource "${identifier}" ${r.reason}; it is ignored.`, `resource[${identifier}]`);
        continue;
      }
      if (r.kind === 'external') {
        continue;
      }
      const decoded = decodePath(r.path);
      const found = this.files.find(decoded) ?? this.files.find(r.path);
      if (!found) {
        this.warnings.add('missing_file', `The file "${decoded}" listed by resource "${identifier}" is not in the package.`, decoded);
        out.files.push(decoded);
      } else {
        if (found.match === 'case') {
          this.warnings.add('path_case_mismatch', `The manifest spells "${decoded}" but the package stores "${found.stored}"; the stored spelling is used.`, found.stored);
        }
        out.files.push(found.stored);
      }
    }
    for (const dep of childrenNamed(resEl, 'dependency')) {
      const ref = attrNamed(dep, 'identifierref')?.trim();
      if (ref) {
        out.dependencies.push(ref);
      }
    }
    const info: ResourceInfo = { out, href, launch };
    this.allResources.push(info);
    return info;
  }

  /** A resource package (no organization): one item per SCO resource, in document order (Moodle). */
  private itemsFromResources(scope: Scope): ManifestItem[] {
    const scoResources = this.allResources.filter((r) => r.out.scormType === 'sco' && r.href !== undefined && scope.resources.get(r.out.identifier) === r);
    if (scoResources.length > 0) {
      this.warnings.add(
        'no_organization',
        `The manifest has no organization (a resource package); one item was made for each of its ${scoResources.length} SCO resource(s).`,
        'organizations',
      );
    }
    return scoResources.map((r) => {
      const item: ManifestItem = { identifier: r.out.identifier, title: r.out.identifier, isVisible: true, resourceId: r.out.identifier, children: [] };
      this.itemIds.add(item.identifier);
      this.attachLaunch(item, r, undefined);
      return item;
    });
  }

  private buildItem(el: XmlElement, scope: Scope): ManifestItem {
    let identifier = attrNamed(el, 'identifier')?.trim();
    if (!identifier) {
      identifier = `ITEM-${++this.generatedIds}`;
      this.warnings.add('item_identifier_missing', `An <item> has no identifier; it was named "${identifier}" (learner data is kept under this name).`, `item[${identifier}]`);
    }
    if (this.itemIds.has(identifier)) {
      this.warnings.add('duplicate_identifier', `The item identifier "${identifier}" is used more than once; those items share learner data.`, `item[${identifier}]`);
    }
    this.itemIds.add(identifier);
    const item: ManifestItem = {
      identifier,
      title: cleanText(childNamed(el, 'title')) || identifier,
      isVisible: !/^(false|0)$/i.test(attrNamed(el, 'isvisible')?.trim() ?? ''),
      children: childrenNamed(el, 'item').map((c) => this.buildItem(c, scope)),
    };
    const parameters = attrNamed(el, 'parameters');
    if (parameters !== undefined && parameters.trim() !== '') {
      item.parameters = parameters;
    }
    const ref = attrNamed(el, 'identifierref')?.trim();
    if (ref) {
      this.attachReference(item, ref, scope);
    }
    this.readItemData(item, el);
    return item;
  }

  private attachReference(item: ManifestItem, ref: string, scope: Scope): void {
    const sub = scope.subManifests.get(ref);
    if (sub) {
      const subOrg = this.pickOrganization(sub.el, `nested manifest "${ref}"`);
      if (!subOrg) {
        this.warnings.add('submanifest_ignored', `Item "${item.identifier}" refers to the nested manifest "${ref}", which has no organization; it is ignored.`, `item[${item.identifier}]`);
        return;
      }
      item.children.push(...childrenNamed(subOrg, 'item').map((c) => this.buildItem(c, sub)));
      this.warnings.add('submanifest_inlined', `Item "${item.identifier}" refers to the nested manifest "${ref}"; its organization was inlined under the item.`, `item[${item.identifier}]`);
      return;
    }
    const resource = scope.resources.get(ref) ?? this.globalResources.get(ref);
    if (!resource) {
      throw new PackageError('launch_target_missing', `Item "${item.identifier}" refers to "${ref}", which is not a resource of the manifest; add the <resource> or fix the identifierref.`);
    }
    if (item.children.length > 0 && this.version.scormVersion === '2004') {
      this.warnings.add(
        'launchable_aggregation_ignored',
        `Item "${item.identifier}" has child items and also refers to resource "${ref}"; in SCORM 2004 only leaf items are launched, so the resource is not.`,
        `item[${item.identifier}]`,
      );
      return;
    }
    item.resourceId = ref;
    this.attachLaunch(item, resource, item.parameters);
  }

  /** Builds launchUrl/launchFile (CAM §1.5 rule) and checks the target exists in the package. */
  private attachLaunch(item: ManifestItem, resource: ResourceInfo, parameters: string | undefined): void {
    const res = resource.out;
    item.scormType = res.scormType;
    const launch = resource.launch;
    if (launch === undefined) {
      throw new PackageError('launch_target_missing', `Item "${item.identifier}" uses resource "${res.identifier}", which has no href to launch; add an href to the <resource>.`);
    }
    if (launch.kind === 'unsafe') {
      throw new PackageError('manifest_unsafe_href', `The href "${resource.href ?? ''}" of resource "${res.identifier}" (item "${item.identifier}") ${launch.reason}; it cannot be served.`);
    }
    if (launch.kind === 'external') {
      item.launchUrl = appendParameters(launch.url, parameters);
      this.warnings.add('external_launch', `Item "${item.identifier}" launches the external URL ${launch.url}; it is not checked and is served by another site.`, `item[${item.identifier}]`);
      return;
    }
    const decoded = decodePath(launch.path);
    const found = decoded === '' || decoded.endsWith('/') ? undefined : (this.files.find(decoded) ?? this.files.find(launch.path));
    if (!found) {
      throw new PackageError(
        'launch_target_missing',
        `The launch file "${decoded || '(empty)'}" of item "${item.identifier}" (resource "${res.identifier}", href "${resource.href ?? ''}") is not in the package.`,
      );
    }
    if (found.match === 'case') {
      this.warnings.add('path_case_mismatch', `The manifest spells "${decoded}" but the package stores "${found.stored}"; the stored spelling is used.`, found.stored);
    }
    item.launchFile = found.stored;
    item.launchUrl = appendParameters(encodePath(found.stored) + launch.query + launch.fragment, parameters);
  }

  /** SCORM 1.2 adlcp data (SCORM-CHECKLIST §1.6) and SCORM 2004 data (§1.7); read for either version. */
  private readItemData(item: ManifestItem, el: XmlElement): void {
    const id = item.identifier;
    const text = (local: string): string | undefined => {
      const child = childNamed(el, local);
      const v = child?.text.trim();
      return v ? v : undefined;
    };
    const mastery = text('masteryscore');
    if (mastery !== undefined) {
      const n = Number(mastery);
      if (Number.isFinite(n) && n >= 0 && n <= 100) {
        item.masteryScore = n;
      } else {
        this.warnings.add('invalid_value', `The masteryscore "${mastery}" of item "${id}" is not a number from 0 to 100; it is ignored.`, `item[${id}]`);
      }
    }
    const dataFromLms = text('datafromlms');
    if (dataFromLms !== undefined) {
      item.dataFromLms = dataFromLms;
    }
    const maxTime = text('maxtimeallowed');
    if (maxTime !== undefined) {
      item.maxTimeAllowed = maxTime;
    }
    const timeLimitAction = text('timelimitaction');
    if (timeLimitAction !== undefined) {
      item.timeLimitAction = timeLimitAction.replace(/\s*,\s*/g, ',');
    }
    const prerequisites = text('prerequisites');
    if (prerequisites !== undefined) {
      item.prerequisites = prerequisites.replace(/\s+/g, ' ');
    }

    const threshold = this.readCompletionThreshold(childNamed(el, 'completionThreshold'), id);
    if (threshold) {
      item.completionThreshold = threshold;
    }

    const seq = childNamed(el, 'sequencing');
    if (seq) {
      item.sequencing = toPlainObject(seq);
      const idRef = attrNamed(seq, 'IDRef')?.trim();
      const shared = idRef ? this.sequencingById.get(idRef) : undefined;
      if (idRef && !shared) {
        this.warnings.add('unresolved_sequencing_ref', `The sequencing of item "${id}" refers to "${idRef}", which is not in <sequencingCollection>.`, `item[${id}]`);
      }
      const effective = (local: string): XmlElement | undefined => childNamed(seq, local) ?? childNamed(shared, local);
      const duration = attrNamed(effective('limitConditions'), 'attemptAbsoluteDurationLimit')?.trim();
      if (duration && item.maxTimeAllowed === undefined) {
        item.maxTimeAllowed = duration;
      }
      this.readObjectives(item, effective('objectives'));
    }

    const hide = childrenNamed(pathNamed(el, 'presentation', 'navigationInterface'), 'hideLMSUI')
      .map((h) => cleanText(h))
      .filter((v) => v !== '');
    if (hide.length > 0) {
      item.hideLmsUi = [...new Set(hide)];
    }
  }

  private readCompletionThreshold(el: XmlElement | undefined, id: string): CompletionThreshold | undefined {
    if (!el) {
      return undefined;
    }
    const cbm = attrNamed(el, 'completedByMeasure')?.trim();
    const mpm = attrNamed(el, 'minProgressMeasure')?.trim();
    const pw = attrNamed(el, 'progressWeight')?.trim();
    const body = el.text.trim();
    const inRange = (raw: string | undefined, what: string, fallback: number): number => {
      if (raw === undefined || raw === '') {
        return fallback;
      }
      const n = Number(raw);
      if (Number.isFinite(n) && n >= 0 && n <= 1) {
        return n;
      }
      this.warnings.add('invalid_value', `The completionThreshold ${what} "${raw}" of item "${id}" is not a number from 0 to 1; ${fallback} is used.`, `item[${id}]`);
      return fallback;
    };
    if (cbm === undefined && mpm === undefined && pw === undefined && body !== '') {
      return { completedByMeasure: true, minProgressMeasure: inRange(body, 'value', 1), progressWeight: 1, source: 'element-text' };
    }
    return {
      completedByMeasure: cbm !== undefined && /^(true|1)$/i.test(cbm),
      minProgressMeasure: inRange(mpm, 'minProgressMeasure', 1),
      progressWeight: inRange(pw, 'progressWeight', 1),
      source: 'attributes',
    };
  }

  /** Primary objective → scaled passing score when satisfiedByMeasure (SN: absent measure = 1.0). */
  private readObjectives(item: ManifestItem, objectives: XmlElement | undefined): void {
    if (!objectives) {
      return;
    }
    const id = item.identifier;
    const ids: string[] = [];
    const primary = childNamed(objectives, 'primaryObjective');
    if (primary) {
      const primaryId = attrNamed(primary, 'objectiveID')?.trim();
      if (primaryId) {
        item.primaryObjectiveId = primaryId;
        ids.push(primaryId);
      }
      if (/^(true|1)$/i.test(attrNamed(primary, 'satisfiedByMeasure')?.trim() ?? '')) {
        const raw = childNamed(primary, 'minNormalizedMeasure')?.text.trim() ?? '';
        const n = raw === '' ? NaN : Number(raw);
        if (Number.isFinite(n) && n >= -1 && n <= 1) {
          item.scaledPassingScore = n;
        } else {
          item.scaledPassingScore = 1;
          this.warnings.add(
            raw === '' ? 'passing_score_defaulted' : 'invalid_value',
            `Item "${id}" is satisfied by measure but its minNormalizedMeasure is ${raw === '' ? 'empty' : `"${raw}"`}; the passing score is 1.0, so only a full score passes.`,
            `item[${id}]`,
          );
        }
      }
    }
    for (const obj of childrenNamed(objectives, 'objective')) {
      const objId = attrNamed(obj, 'objectiveID')?.trim();
      if (objId && !ids.includes(objId)) {
        ids.push(objId);
      }
    }
    if (ids.length > 0) {
      item.objectiveIds = ids;
    }
  }
}

function lomTitle(root: XmlElement): string {
  const title = pathNamed(root, 'metadata', 'lom', 'general', 'title');
  for (const s of [...childrenNamed(title, 'string'), ...childrenNamed(title, 'langstring')]) {
    const v = cleanText(s);
    if (v) {
      return v;
    }
  }
  return '';
}
