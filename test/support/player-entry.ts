import type { PlayerBootstrap } from '../../src/player/bootstrap.types';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import type { LtiLaunchContext } from '../../src/lti/protocol/launch-context';
import { PlayerLaunchService } from '../../src/player/player-launch.service';
import type { TestApp } from './app';
import { buildFixtureZip } from './scorm-package.builder';

/** Imports a fixture package through the real API (a course of its own, even when the same zip is already there) and returns the course id. */
export async function importFixture(t: TestApp, name: string): Promise<string> {
  const res = await request(t.appUrl).post('/api/courses?onDuplicate=separate').set(t.auth).attach('package', await buildFixtureZip(name), { filename: `${name}.zip`, contentType: 'application/zip' });
  if (res.status !== 201) {
    throw new Error(`import of ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.id as string;
}

/**
 * Imports the single-SCO fixture with `files` added (or replaced) through the real API and returns
 * the content URL of its folder (its SCO's page's, grant included): `base + 'media/x.bin'` reads a file.
 */
export async function importCourseFolder(t: TestApp, files: Record<string, Buffer>): Promise<string> {
  const zip = await buildFixtureZip('scorm12-single-sco', { files });
  const res = await request(t.appUrl).post('/api/courses').set(t.auth).attach('package', zip, 'c.zip').expect(201);
  return (res.body.currentVersion.scos[0].url as string).replace(/index\.html$/, '');
}

/** A hand-built launch context, as the LTI launch service would build it after checking an id_token. */
export function launchContext(courseId: string, over: Partial<LtiLaunchContext> = {}): LtiLaunchContext {
  return {
    platformId: 'platform-test',
    issuer: 'https://lms.example',
    clientId: 'client-1',
    deploymentId: 'dep-1',
    sub: `learner-${randomUUID()}`,
    givenName: 'Jane',
    familyName: 'Doe',
    name: 'Jane Doe',
    roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    isInstructor: false,
    resourceLinkId: `link-${randomUUID()}`,
    resourceLinkTitle: 'Lesson',
    courseId,
    custom: {},
    ...over,
  };
}

/**
 * Enters the player without an LMS: calls PlayerLaunchService (the LaunchHandoff the LTI launch uses)
 * with a hand-built context and returns the one-time player URL on the content origin.
 */
export async function playerUrlFor(t: TestApp, ctx: LtiLaunchContext): Promise<string> {
  return t.server.app.get(PlayerLaunchService).playerUrl(ctx);
}

/** The player page's inlined bootstrap (one definition, shared with the server and the player). */
export type BootstrapJson = PlayerBootstrap;

/** Opens the player page over HTTP (no browser) and reads its inlined bootstrap. */
export async function openPlayer(t: TestApp, ctx: LtiLaunchContext): Promise<{ html: string; bootstrap: BootstrapJson; headers: Record<string, string> }> {
  const url = await playerUrlFor(t, ctx);
  const res = await request(t.contentUrl).get(new URL(url).pathname).expect(200);
  const m = /<script type="application\/json" id="bridge-bootstrap">([\s\S]*?)<\/script>/.exec(res.text);
  if (!m) {throw new Error('no bootstrap in the player page');}
  return { html: res.text, bootstrap: JSON.parse(m[1]) as BootstrapJson, headers: res.headers };
}
