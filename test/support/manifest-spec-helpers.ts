import { PackageError } from '../../src/common/errors';
import { findItem } from '../../src/scorm/manifest-items';
import type { ManifestItem } from '../../src/scorm/manifest.types';
import { PackageFiles } from '../../src/scorm/package-layout';
import type { ZipEntryInfo } from '../../src/scorm/zip.types';

/** Small manifests and package file lists built in code for the parseManifest specs of src/scorm. */

export function fileList(...names: string[]): PackageFiles {
  const infos: ZipEntryInfo[] = names.map((name) => ({ name, isDirectory: false, uncompressedSize: 1, compressedSize: 1 }));
  return new PackageFiles(infos, '');
}

/** A 1.2 manifest around the given organizations/resources XML. */
export function manifest12(body: string, attrs = ''): Buffer {
  return Buffer.from(`<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" ${attrs}>
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  ${body}
</manifest>`);
}

export function oneSco(href: string, extra = ''): Buffer {
  return manifest12(`<organizations default="O"><organization identifier="O"><title>T</title>
    <item identifier="I1" identifierref="R1"><title>One</title></item></organization></organizations>
    <resources><resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="${href}"/>${extra}</resources>`);
}

export function errorOf(fn: () => unknown): PackageError {
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

/** The item with this identifier; a test that names a missing item fails here. */
export function itemOf(items: ManifestItem[], id: string): ManifestItem {
  const item = findItem(items, id);
  if (!item) {
    throw new Error(`no item ${id}`);
  }
  return item;
}

export const codes = (w: { code: string }[]): string[] => w.map((x) => x.code);
