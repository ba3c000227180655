import { ZipFile } from 'yazl';
import { html, jsonScript, SafeHtml } from '../common/html';
import type { PackageVersion } from './dispatch.dto';

/** What the package's launch page needs: where the bridge is and which dispatch it opens. No secret. */
export interface PackageConfig {
  /** The content origin (`CONTENT_URL`'s origin): the only origin the page talks to. */
  bridgeOrigin: string;
  /** `<dispatch id>.<signature>`: identifies the dispatch, proves the bridge issued it. */
  dispatchToken: string;
  /** The LMS API the page looks for: `API` (1.2) or `API_1484_11` (2004). */
  scorm: PackageVersion;
  title: string;
}

/** Fixed entry time: the same dispatch and version give the same bytes. */
const MTIME = new Date(2020, 0, 1, 12, 0, 0);

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

/** The namespaces and schema version of each package version's manifest. */
const MANIFEST_HEAD: Record<PackageVersion, { cp: string; adlcp: string; schemaVersion: string; scormType: string }> = {
  '1.2': { cp: 'http://www.imsproject.org/xsd/imscp_rootv1p1p2', adlcp: 'http://www.adlnet.org/xsd/adlcp_rootv1p2', schemaVersion: '1.2', scormType: 'scormtype' },
  '2004': { cp: 'http://www.imsglobal.org/xsd/imscp_v1p1', adlcp: 'http://www.adlnet.org/xsd/adlcp_v1p3', schemaVersion: '2004 3rd Edition', scormType: 'scormType' },
};

/** The package's manifest: one SCO whose launch page is `index.html`. */
export function dispatchManifest(c: PackageConfig, dispatchId: string): string {
  const title = xml(c.title);
  const h = MANIFEST_HEAD[c.scorm];
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="DISPATCH-${dispatchId}" version="1.0" xmlns="${h.cp}" xmlns:adlcp="${h.adlcp}">
  <metadata><schema>ADL SCORM</schema><schemaversion>${h.schemaVersion}</schemaversion></metadata>
  <organizations default="ORG-1">
    <organization identifier="ORG-1">
      <title>${title}</title>
      <item identifier="ITEM-1" identifierref="RES-1"><title>${title}</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-1" type="webcontent" adlcp:${h.scormType}="sco" href="index.html">
      <file href="index.html"/>
      <file href="dispatch.js"/>
    </resource>
  </resources>
</manifest>
`;
}

/** The launch page the LMS opens: the configuration, a place for the bridge frame, the relay script. */
export function dispatchLaunchPage(c: PackageConfig): SafeHtml {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${c.title}</title>
<style>html,body{margin:0;height:100%;font-family:system-ui,sans-serif}#dispatch-frame{border:0;width:100%;height:100%;display:block}#dispatch-message{padding:1rem}#dispatch-message[hidden]{display:none}</style>
</head>
<body>
<p id="dispatch-message" role="alert" hidden></p>
${jsonScript('dispatch-config', c)}
<script src="dispatch.js"></script>
</body>
</html>
`;
}

/** The zip the customer imports: manifest, launch page and the relay script, nothing of the course. */
export function buildDispatchZip(c: PackageConfig, dispatchId: string, relayScript: Buffer): Promise<Buffer> {
  const zip = new ZipFile();
  const add = (name: string, data: string | Buffer) => zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'), name, { mtime: MTIME, mode: 0o100644 });
  add('imsmanifest.xml', dispatchManifest(c, dispatchId));
  add('index.html', dispatchLaunchPage(c).toString());
  add('dispatch.js', relayScript);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (b: Buffer) => chunks.push(b));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
