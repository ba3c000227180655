import { PackageError } from '../common/errors';
import { PACKAGE_ROOT } from './launch-url';
import type { ImportWarning, ManifestItem, ParsedManifest, ScoSummary } from './manifest.types';
import { detectVersion, type DetectedVersion } from './manifest-version';
import { walkItems } from './manifest-items';
import { sequencingIndex } from './manifest-item-data';
import { ItemBuilder } from './manifest-organization';
import { ResourceReader } from './manifest-resources';
import { WarningList } from './manifest-warnings';
import { attrNamed, childNamed, childrenNamed, cleanText, parseXml, pathNamed, toPlainObject, undeclaredPrefixes, type XmlElement } from './manifest-xml';
import type { PackageFiles } from './package-layout';

/**
 * Parses imsmanifest.xml of SCORM 1.2 and 2004 (2nd–4th ed.) into a ParsedManifest, checking launch
 * targets against the package files. Accepts what can be played, with warnings; throws PackageError
 * (422) naming the file or element when the package cannot be played (src/scorm/README.md;
 * src/scorm/README.md): `manifest_malformed`, `manifest_invalid`, `no_launchable_item`,
 * `launch_target_missing`, `manifest_unsafe_href`.
 */
export function parseManifest(xml: Buffer, files: PackageFiles): { manifest: ParsedManifest; warnings: ImportWarning[] } {
  const root = parseXml(xml);
  if (root.key !== 'manifest') {
    throw new PackageError(
      'manifest_invalid',
      `The root element of imsmanifest.xml is <${root.name}>, not <manifest>; this is not an IMS content package manifest.`,
    );
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
  return readManifest(root, files, version, warnings);
}

/**
 * One manifest read: the resources and nested manifests first (manifest-resources.ts), then the item
 * tree (manifest-organization.ts, which reads each item's data through manifest-item-data.ts), then
 * the SCO list and the manifest-level fields.
 */
function readManifest(
  root: XmlElement,
  files: PackageFiles,
  version: DetectedVersion,
  warnings: WarningList,
): { manifest: ParsedManifest; warnings: ImportWarning[] } {
  const identifier = attrNamed(root, 'identifier')?.trim() || 'MANIFEST';
  const resources = new ResourceReader(files, warnings);
  const scope = resources.buildScope(root, PACKAGE_ROOT, 0);
  const collection = childNamed(root, 'sequencingCollection');
  const builder = new ItemBuilder(files, version, warnings, resources, sequencingIndex(collection));

  const org = builder.pickOrganization(root, 'manifest');
  let items: ManifestItem[];
  let orgTitle = '';
  if (org) {
    orgTitle = cleanText(childNamed(org, 'title'));
    items = childrenNamed(org, 'item').map((el) => builder.buildItem(el, scope));
  } else {
    items = builder.itemsFromResources(scope);
  }

  const scos: ScoSummary[] = [];
  for (const { item } of walkItems(items)) {
    if (item.launchUrl !== undefined && item.resourceId !== undefined && item.scormType !== undefined) {
      scos.push({
        itemId: item.identifier,
        title: item.title,
        launchUrl: item.launchUrl,
        scormType: item.scormType,
        resourceId: item.resourceId,
        isVisible: item.isVisible,
      });
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
    scormVersion: version.scormVersion,
    edition: version.edition,
    ...(version.schemaversion !== undefined ? { schemaversion: version.schemaversion } : {}),
    versionSource: version.source,
    identifier,
    title: orgTitle || lomTitle(root) || identifier,
    ...descriptionField(root),
    organizationId: org ? (attrNamed(org, 'identifier')?.trim() ?? null) : null,
    items,
    resources: resources.allResources.map((r) => r.out),
    scos,
    ...(collection ? { sequencingCollection: toPlainObject(collection) } : {}),
    ...(orgSequencing ? { organizationSequencing: toPlainObject(orgSequencing) } : {}),
    ...globalScopes(org),
  };
  return { manifest, warnings: warnings.list() };
}

/** The organization's `adlseq:objectivesGlobalToSystem` and `adlcp:sharedDataGlobalToSystem`, kept only when written. */
function globalScopes(org: XmlElement | undefined): Pick<ParsedManifest, 'objectivesGlobalToSystem' | 'sharedDataGlobalToSystem'> {
  const out: Pick<ParsedManifest, 'objectivesGlobalToSystem' | 'sharedDataGlobalToSystem'> = {};
  const objectives = attrNamed(org, 'objectivesGlobalToSystem')?.trim();
  if (objectives) {
    out.objectivesGlobalToSystem = !/^(false|0)$/i.test(objectives);
  }
  const shared = attrNamed(org, 'sharedDataGlobalToSystem')?.trim();
  if (shared) {
    out.sharedDataGlobalToSystem = !/^(false|0)$/i.test(shared);
  }
  return out;
}

function lomTitle(root: XmlElement): string {
  return lomText(pathNamed(root, 'metadata', 'lom', 'general', 'title'));
}

/** The longest a course description is kept: enough for a paragraph in a picker, bounded for any manifest. */
const DESCRIPTION_MAX = 2000;

/**
 * The package's own description, from the manifest's inline LOM (`metadata/lom/general/description`,
 * the first non-empty `string` (2004) or `langstring` (1.2)), white space collapsed, cut at
 * `DESCRIPTION_MAX` characters. Metadata in a separate file (`adlcp:location`) is not read.
 */
function descriptionField(root: XmlElement): { description?: string } {
  const text = lomText(pathNamed(root, 'metadata', 'lom', 'general', 'description'));
  if (!text) {
    return {};
  }
  return { description: text.length > DESCRIPTION_MAX ? `${text.slice(0, DESCRIPTION_MAX - 1).trimEnd()}…` : text };
}

/** The first non-empty LOM language string of an element (`string` in 2004, `langstring` in 1.2). */
function lomText(el: XmlElement | undefined): string {
  for (const s of [...childrenNamed(el, 'string'), ...childrenNamed(el, 'langstring')]) {
    const v = cleanText(s);
    if (v) {
      return v;
    }
  }
  return '';
}
