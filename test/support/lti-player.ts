import request from 'supertest';
import type { LtiTestbed } from './platform-emulator';
import { buildFixtureZip, FixtureZipOptions } from './scorm-package.builder';

/** Imports a fixture package through the admin API; returns the course id. */
export async function importFixtureCourse(tb: LtiTestbed, name: string, opts: FixtureZipOptions = {}): Promise<string> {
  const zip = await buildFixtureZip(name, opts);
  const res = await request(tb.app.appUrl).post('/api/courses').set(tb.app.auth).attach('package', zip, { filename: `${name}.zip`, contentType: 'application/zip' }).expect(201);
  return res.body.id as string;
}

/** A resource-link launch from the emulator as `sub`; returns the player URL the tool handed the browser. */
export async function ltiPlayerUrl(tb: LtiTestbed, courseId: string, sub: string, linkId = `link-${courseId}`, extraClaims: Record<string, unknown> = {}): Promise<string> {
  const res = await tb.emu.launch({
    toolUrl: tb.app.appUrl,
    courseId,
    claims: { sub, 'https://purl.imsglobal.org/spec/lti/claim/resource_link': { id: linkId, title: 'Browser test' }, ...extraClaims },
  });
  const m = /data-player-url="([^"]+)"/.exec(res.text);
  if (res.status !== 200 || !m) {
    throw new Error(`launch did not reach the player: ${res.status} ${res.text.slice(0, 300)}`);
  }
  return m[1].replace(/&amp;/g, '&');
}
