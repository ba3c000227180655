import { applyXmlBase, decodePath, encodePath, resolveRef, type HrefBase, type ResolvedRef } from './launch-url';
import type { ManifestResource } from './manifest.types';
import type { WarningList } from './manifest-warnings';
import { attrNamed, childNamed, childrenNamed, xmlBase, type XmlElement } from './manifest-xml';
import type { PackageFiles } from './package-layout';

/**
 * The resources of a manifest and of its nested manifests, each read once with its `xml:base`
 * chain resolved and its files looked up in the package. A nested manifest gets a scope of its own
 * (items inlined from it look their resources up there first), kept under its identifier.
 */

/** Sub-manifests nested deeper than this are not inlined. */
const MAX_SUBMANIFEST_DEPTH = 5;

/** An `xml:base` that already failed the href checks: everything under it is unsafe too. */
export type Unsafe = { kind: 'unsafe'; reason: string };

export interface ResourceInfo {
  out: ManifestResource;
  href?: string;
  launch?: ResolvedRef;
}

/** One `<manifest>` (the package's or a nested one): its resources and its nested manifests. */
export interface Scope {
  el: XmlElement;
  base: HrefBase | Unsafe;
  resources: Map<string, ResourceInfo>;
  subManifests: Map<string, Scope>;
  depth: number;
}

export class ResourceReader {
  /** Every resource read, in document order, nested manifests' included. */
  readonly allResources: ResourceInfo[] = [];
  /** The first resource of each identifier anywhere in the package (the fallback of a scope lookup). */
  readonly globalResources = new Map<string, ResourceInfo>();

  constructor(
    private readonly files: PackageFiles,
    private readonly warnings: WarningList,
  ) {}

  /** The scope of one `<manifest>`: its resources, then each nested manifest's scope (up to MAX_SUBMANIFEST_DEPTH levels). */
  buildScope(manifestEl: XmlElement, parentBase: HrefBase | Unsafe, depth: number): Scope {
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
        this.warnings.add(
          'submanifest_ignored',
          `The nested manifest "${id}" is more than ${MAX_SUBMANIFEST_DEPTH} levels deep; it is ignored.`,
          `manifest[${id}]`,
        );
      } else {
        scope.subManifests.set(id, this.buildScope(sub, base, depth + 1));
      }
    }
    for (const info of scope.resources.values()) {
      for (const dep of info.out.dependencies) {
        if (!scope.resources.has(dep) && !this.globalResources.has(dep)) {
          this.warnings.add(
            'unresolved_dependency',
            `Resource "${info.out.identifier}" depends on "${dep}", which the manifest does not define.`,
            `resource[${info.out.identifier}]`,
          );
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
        this.warnings.add(
          'unsafe_file_href',
          `The <file href="${fileHref}"> of resource "${identifier}" ${r.reason}; it is ignored.`,
          `resource[${identifier}]`,
        );
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
          this.warnings.add(
            'path_case_mismatch',
            `The manifest spells "${decoded}" but the package stores "${found.stored}"; the stored spelling is used.`,
            found.stored,
          );
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
}
