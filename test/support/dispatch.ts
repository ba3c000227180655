import type { TestApp } from './app';
import { readZip } from './zip-read';

/** The configuration a dispatch package's launch page carries (src/dispatch/dispatch-package.ts). */
export interface PackageConfigJson {
  bridgeOrigin: string;
  dispatchToken: string;
  scorm: '1.2' | '2004';
  title: string;
}

/** Downloads a dispatch package through the admin API and reads its files. */
export async function downloadPackage(app: TestApp, customerId: string, dispatchId: string, scorm: '1.2' | '2004'): Promise<{ zip: Buffer; files: Map<string, Buffer>; config: PackageConfigJson }> {
  const res = await fetch(`${app.appUrl}/api/customers/${customerId}/dispatches/${dispatchId}/package?scorm=${scorm}`, { headers: app.auth });
  if (res.status !== 200) {
    throw new Error(`package download failed: ${res.status} ${await res.text()}`);
  }
  const zip = Buffer.from(await res.arrayBuffer());
  const files = await readZip(zip);
  const page = files.get('index.html')?.toString('utf8') ?? '';
  const m = /<script type="application\/json" id="dispatch-config">([\s\S]*?)<\/script>/.exec(page);
  if (!m) {
    throw new Error('no configuration in the package launch page');
  }
  return { zip, files, config: JSON.parse(m[1]) as PackageConfigJson };
}

/**
 * What the bridge page's script does once the package page hand-shook (player/src/dispatch-bridge.ts):
 * the launch request with the LMS learner, from the content origin.
 */
export async function dispatchLaunch(
  app: TestApp,
  token: string,
  learnerId: string,
  learnerName: string | null = null,
  extra: { lmsOrigin?: string | null } = {},
): Promise<{ status: number; body: { playerUrl?: string; error?: string; message?: string } }> {
  const res = await fetch(`${app.contentUrl}/dispatch/${token}/launch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: new URL(app.contentUrl).origin },
    body: JSON.stringify({ learnerId, learnerName, ...extra }),
  });
  return { status: res.status, body: (await res.json()) as { playerUrl?: string; error?: string; message?: string } };
}
