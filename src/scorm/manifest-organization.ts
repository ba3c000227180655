import { PackageError } from '../common/errors';
import { appendParameters, decodePath, encodePath } from './launch-url';
import type { ManifestItem } from './manifest.types';
import { readItemData } from './manifest-item-data';
import type { ResourceInfo, ResourceReader, Scope } from './manifest-resources';
import type { DetectedVersion } from './manifest-version';
import type { WarningList } from './manifest-warnings';
import { attrNamed, childNamed, childrenNamed, cleanText, type XmlElement } from './manifest-xml';
import type { PackageFiles } from './package-layout';

/**
 * The item tree the learner is given: the delivered organization's items (or one item per SCO
 * resource when there is none), each with its launch checked against the package files, and nested
 * manifests an item refers to inlined under that item.
 */
export class ItemBuilder {
  private readonly itemIds = new Set<string>();
  private generatedIds = 0;

  constructor(
    private readonly files: PackageFiles,
    private readonly version: DetectedVersion,
    private readonly warnings: WarningList,
    private readonly resources: ResourceReader,
    private readonly sequencingById: ReadonlyMap<string, XmlElement>,
  ) {}

  /** `<organizations default>` names the delivered organization; else the first (src/scorm/README.md). */
  pickOrganization(manifestEl: XmlElement, where: string): XmlElement | undefined {
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

  /** A resource package (no organization): one item per SCO resource, in document order (Moodle). */
  itemsFromResources(scope: Scope): ManifestItem[] {
    const scoResources = this.resources.allResources.filter(
      (r) => r.out.scormType === 'sco' && r.href !== undefined && scope.resources.get(r.out.identifier) === r,
    );
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

  buildItem(el: XmlElement, scope: Scope): ManifestItem {
    let identifier = attrNamed(el, 'identifier')?.trim();
    if (!identifier) {
      identifier = `ITEM-${++this.generatedIds}`;
      this.warnings.add(
        'item_identifier_missing',
        `An <item> has no identifier; it was named "${identifier}" (learner data is kept under this name).`,
        `item[${identifier}]`,
      );
    }
    if (this.itemIds.has(identifier)) {
      this.warnings.add(
        'duplicate_identifier',
        `The item identifier "${identifier}" is used more than once; those items share learner data.`,
        `item[${identifier}]`,
      );
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
    readItemData(item, el, this.sequencingById, this.warnings);
    return item;
  }

  private attachReference(item: ManifestItem, ref: string, scope: Scope): void {
    const sub = scope.subManifests.get(ref);
    if (sub) {
      const subOrg = this.pickOrganization(sub.el, `nested manifest "${ref}"`);
      if (!subOrg) {
        this.warnings.add(
          'submanifest_ignored',
          `Item "${item.identifier}" refers to the nested manifest "${ref}", which has no organization; it is ignored.`,
          `item[${item.identifier}]`,
        );
        return;
      }
      item.children.push(...childrenNamed(subOrg, 'item').map((c) => this.buildItem(c, sub)));
      this.warnings.add(
        'submanifest_inlined',
        `Item "${item.identifier}" refers to the nested manifest "${ref}"; its organization was inlined under the item.`,
        `item[${item.identifier}]`,
      );
      return;
    }
    const resource = scope.resources.get(ref) ?? this.resources.globalResources.get(ref);
    if (!resource) {
      throw new PackageError(
        'launch_target_missing',
        `Item "${item.identifier}" refers to "${ref}", which is not a resource of the manifest; add the <resource> or fix the identifierref.`,
      );
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
      throw new PackageError(
        'launch_target_missing',
        `Item "${item.identifier}" uses resource "${res.identifier}", which has no href to launch; add an href to the <resource>.`,
      );
    }
    if (launch.kind === 'unsafe') {
      throw new PackageError(
        'manifest_unsafe_href',
        `The href "${resource.href ?? ''}" of resource "${res.identifier}" (item "${item.identifier}") ${launch.reason}; it cannot be served.`,
      );
    }
    if (launch.kind === 'external') {
      item.launchUrl = appendParameters(launch.url, parameters);
      this.warnings.add(
        'external_launch',
        `Item "${item.identifier}" launches the external URL ${launch.url}; it is not checked and is served by another site.`,
        `item[${item.identifier}]`,
      );
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
      this.warnings.add(
        'path_case_mismatch',
        `The manifest spells "${decoded}" but the package stores "${found.stored}"; the stored spelling is used.`,
        found.stored,
      );
    }
    item.launchFile = found.stored;
    item.launchUrl = appendParameters(encodePath(found.stored) + launch.query + launch.fragment, parameters);
  }
}
