import { PackageError } from '../common/errors';
import type { ImportWarning, ParsedManifest } from './manifest.types';
import type { PackageFiles } from './package-layout';

// STUB: to be replaced by the fast-xml-parser implementation.

/**
 * Parses imsmanifest.xml of SCORM 1.2 and 2004 (2nd–4th ed.) into a ParsedManifest, checking launch
 * targets against the package files. Accepts what can be played, with warnings; throws PackageError
 * (422) naming the file or element when the package cannot be played.
 */
export function parseManifest(xml: Buffer, files: PackageFiles): { manifest: ParsedManifest; warnings: ImportWarning[] } {
  void xml;
  void files;
  throw new PackageError('not_implemented', 'Manifest parsing is not implemented yet.');
}
