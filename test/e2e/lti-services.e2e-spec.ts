import { decodeProtectedHeader, JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { parseAutoPost, PlatformEmulator, readJsonScript, startLtiTestbed, LtiTestbed } from '../support/platform-emulator';
import { ToolKeysService } from '../../src/lti/keys/tool-keys.service';

const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

function code(text: string): string | null {
  return /data-error-code>([^<]+)</.exec(text)?.[1] ?? null;
}

describe('LTI registrations, keys, deep linking, dynamic registration, platform storage', () => {
  let tb: LtiTestbed;
  let emu: PlatformEmulator;
  let api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> & { error?: string } }>;

  beforeAll(async () => {
    tb = await startLtiTestbed();
    emu = tb.emu;
    api = async (method, path, body) => {
      const res = await fetch(`${tb.app.appUrl}${path}`, {
        method,
        headers: { ...tb.app.auth, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
  });

  afterAll(async () => {
    await tb.close();
  });

  describe('/api/platforms', () => {
    it('should list the registered platform with its deployments', async () => {
      const res = await fetch(`${tb.app.appUrl}/api/platforms`, { headers: tb.app.auth });
      expect(res.status).toBe(200);
      const list = (await res.json()) as Array<Record<string, unknown>>;
      expect(list).toEqual([expect.objectContaining({ id: tb.platformId, issuer: emu.issuer, clientId: emu.clientId, deploymentIds: [emu.deploymentId], tokenAudience: null })]);
    });

    it('should need the admin token', async () => {
      expect((await fetch(`${tb.app.appUrl}/api/platforms`)).status).toBe(401);
    });

    it('should refuse a duplicate (issuer, client id) with 409', async () => {
      const res = await api('POST', '/api/platforms', emu.registrationBody());
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('platform_exists');
    });

    it('should refuse a body with a bad URL, naming the field', async () => {
      const res = await api('POST', '/api/platforms', emu.registrationBody({ clientId: 'x', jwksUri: 'not a url' }));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'platform_invalid', message: expect.stringContaining('jwksUri') });
    });

    it('should refuse unknown fields, wrong types and a body that is not an object, naming the field', async () => {
      const unknown = await api('POST', '/api/platforms', emu.registrationBody({ clientId: 'x', colour: 'red' }));
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual({ error: 'platform_invalid', message: expect.stringContaining('"colour"') });
      const blank = await api('POST', '/api/platforms', emu.registrationBody({ clientId: 'x', name: '   ' }));
      expect(blank.body).toEqual({ error: 'platform_invalid', message: 'name must be a non-empty string of at most 200 characters.' });
      const ids = await api('POST', '/api/platforms', emu.registrationBody({ clientId: 'x', deploymentIds: ['ok', 7] }));
      expect(ids.body).toEqual({ error: 'platform_invalid', message: expect.stringContaining('deploymentIds') });
      const list = await api('POST', '/api/platforms', [emu.registrationBody({ clientId: 'x' })]);
      expect(list.status).toBe(400);
      expect(list.body.error).toBe('platform_invalid');
      const nulled = await api('PATCH', `/api/platforms/${tb.platformId}`, { name: null });
      expect(nulled.body).toEqual({ error: 'platform_invalid', message: expect.stringContaining('name') });
      expect((await api('GET', '/api/platforms')).body).toHaveLength(1);
    });

    it('should create, edit (deployments, token audience) and delete a platform', async () => {
      const created = await api('POST', '/api/platforms', emu.registrationBody({ name: 'Temp', clientId: `tmp-${randomUUID()}`, deploymentIds: ['a'] }));
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const patched = await api('PATCH', `/api/platforms/${id}`, { deploymentIds: ['a', 'b'], tokenAudience: 'https://auth.example/token' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ deploymentIds: ['a', 'b'], tokenAudience: 'https://auth.example/token', name: 'Temp', jwksUri: created.body.jwksUri });
      const renamed = await api('PATCH', `/api/platforms/${id}`, { name: '  Renamed  ' });
      expect(renamed.body).toMatchObject({ name: 'Renamed', deploymentIds: ['a', 'b'], tokenAudience: 'https://auth.example/token' });
      expect((await api('GET', `/api/platforms/${id}`)).body.deploymentIds).toEqual(['a', 'b']);
      expect((await api('DELETE', `/api/platforms/${id}`)).status).toBe(204);
      expect((await api('GET', `/api/platforms/${id}`)).status).toBe(404);
    });
  });

  describe('GET /lti/config', () => {
    it('should give every value an LMS admin pastes, with per-course target links for the admin', async () => {
      const res = await fetch(`${tb.app.appUrl}/lti/config`, { headers: { ...tb.app.auth, Accept: 'application/json' } });
      expect(res.status).toBe(200);
      const cfg = (await res.json()) as Record<string, unknown>;
      const base = tb.app.appUrl;
      expect(cfg).toMatchObject({
        loginUrl: `${base}/lti/login`,
        redirectUris: [`${base}/lti/launch`],
        jwksUrl: `${base}/.well-known/jwks.json`,
        deepLinkingUrl: `${base}/lti/deep-link`,
        dynamicRegistrationUrl: `${base}/lti/register`,
        iconUrl: `${base}/icon.png`,
        lti11LaunchUrlTemplate: `${base}/lti/1p1/courses/{courseId}`,
        courses: [expect.objectContaining({ id: tb.courseId, targetLinkUri: `${base}/lti/courses/${tb.courseId}` })],
      });
      expect(cfg.scopes).toEqual(
        expect.arrayContaining([
          'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
          'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
          'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
          'https://purl.imsglobal.org/spec/lti-ags/scope/score',
          'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
        ]),
      );
      const anon = (await (await fetch(`${base}/lti/config`)).json()) as Record<string, unknown>;
      expect(anon.courses).toBeUndefined();
    });
  });

  describe('the tool icon', () => {
    it('should serve a 256×256 PNG and the SVG at stable public URLs, cached a day and revalidated by ETag', async () => {
      const png = await fetch(`${tb.app.appUrl}/icon.png`);
      expect(png.status).toBe(200);
      expect(png.headers.get('content-type')).toBe('image/png');
      expect(png.headers.get('cache-control')).toBe('public, max-age=86400');
      expect(png.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      const bytes = Buffer.from(await png.arrayBuffer());
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([256, 256]);
      const etag = png.headers.get('etag') as string;
      expect(etag).toMatch(/^".+"$/);
      // (an explicit Cache-Control: fetch would add "no-cache" to a conditional request, which turns revalidation off)
      const again = await fetch(`${tb.app.appUrl}/icon.png`, { headers: { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' } });
      expect(again.status).toBe(304);
      const svg = await fetch(`${tb.app.appUrl}/icon.svg`);
      expect(svg.status).toBe(200);
      expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(svg.headers.get('cache-control')).toBe('public, max-age=86400');
      expect(await svg.text()).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      // public: no admin token or session needed; never on the content origin
      expect((await fetch(`${tb.app.contentUrl}/icon.png`)).status).toBe(404);
    });
  });

  describe('tool keys', () => {
    it('should publish an RS256 public key with kid and no private parts', async () => {
      const jwks = (await (await fetch(`${tb.app.appUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
      expect(jwks.keys[0].d).toBeUndefined();
      expect(jwks.keys[0].p).toBeUndefined();
    });

    it('should sign client assertions the emulator token endpoint accepts, before and after a rotation', async () => {
      const keys = tb.app.server.app.get(ToolKeysService);
      const assertion = async () =>
        keys.signJwt({ iss: emu.clientId, sub: emu.clientId, aud: emu.tokenEndpoint, jti: randomUUID(), [`${LTI}deployment_id`]: emu.deploymentId }, { expiresInSeconds: 60 });
      const token = async (jwt: string) =>
        fetch(emu.tokenEndpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: jwt,
            scope: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
          }),
        });
      const first = await assertion();
      const oldKid = decodeProtectedHeader(first).kid;
      const ok = await token(first);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { access_token: string };
      expect(emu.checkAccessToken(`Bearer ${body.access_token}`, 'https://purl.imsglobal.org/spec/lti-ags/scope/score')).toMatchObject({ ok: true });
      expect(emu.checkAccessToken(`Bearer ${body.access_token}`, 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem')).toMatchObject({ ok: false, status: 403 });
      // A reused jti is refused.
      expect((await token(first)).status).toBe(401);

      const rotated = await api('POST', '/api/keys/rotate');
      expect(rotated.status).toBe(200);
      expect(rotated.body.previous).toEqual([oldKid]);
      const jwks = (await (await fetch(`${tb.app.appUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.body.kid, oldKid]);
      const second = await assertion();
      expect(decodeProtectedHeader(second).kid).toBe(rotated.body.kid);
      expect((await token(second)).status).toBe(200);
    });

    it('should refuse rotation without the admin token', async () => {
      expect((await fetch(`${tb.app.appUrl}/api/keys/rotate`, { method: 'POST' })).status).toBe(401);
    });
  });

  describe('Deep Linking', () => {
    it('should show the picker to an instructor and post a signed response the platform accepts', async () => {
      const res = await emu.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking' });
      expect(res.status).toBe(200);
      expect(res.text).toContain('Add a SCORM course');
      expect(res.text).toContain(`value="${tb.courseId}"`);
      expect(res.text).toContain('type="checkbox"');
      const picker = /<form method="post" action="([^"]+)"><input type="hidden" name="session" value="([^"]+)">/.exec(res.text);
      expect(picker).not.toBeNull();
      const [, action, session] = picker as RegExpExecArray;
      const chosen = await fetch(action, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ session, course_id: tb.courseId, action: 'add' }),
      });
      expect(chosen.status).toBe(200);
      const form = parseAutoPost(await chosen.text());
      expect(form?.action).toBe(`${emu.url}/deep-linking/return`);
      const back = await fetch(form?.action as string, { method: 'POST', body: new URLSearchParams(form?.fields), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect(back.status).toBe(200);
      const got = emu.deepLinkReturns[emu.deepLinkReturns.length - 1];
      expect(got.ok).toBe(true);
      expect(got.header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
      expect(got.payload).toMatchObject({
        iss: emu.clientId,
        aud: emu.issuer,
        nonce: expect.any(String),
        [`${LTI}deployment_id`]: emu.deploymentId,
        [`${DL}data`]: 'opaque-data-é-123',
        [`${DL}content_items`]: [
          {
            type: 'ltiResourceLink',
            title: expect.any(String),
            url: `${tb.app.appUrl}/lti/courses/${tb.courseId}`,
            custom: { course_id: tb.courseId },
            lineItem: { scoreMaximum: 100, label: expect.any(String), resourceId: tb.courseId, tag: 'scorm' },
            iframe: {},
          },
        ],
      });
    });

    it('should honour accept_multiple=false and accept_lineitem=false', async () => {
      const settings = {
        deep_link_return_url: `${emu.url}/deep-linking/return`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['window'],
        accept_multiple: false,
        accept_lineitem: 'false',
      };
      const res = await emu.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking', claims: { [`${DL}deep_linking_settings`]: settings } });
      expect(res.text).toContain('type="radio"');
      const [, action, session] = /<form method="post" action="([^"]+)"><input type="hidden" name="session" value="([^"]+)">/.exec(res.text) as RegExpExecArray;
      const two = new URLSearchParams({ session, action: 'add' });
      two.append('course_id', tb.courseId);
      two.append('course_id', tb.courseId);
      const refused = await fetch(action, { method: 'POST', body: two, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect(refused.status).toBe(400);
      expect(code(await refused.text())).toBe('lti_deep_linking_single_only');
      const one = await fetch(action, { method: 'POST', body: new URLSearchParams({ session, action: 'add', course_id: tb.courseId }), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      const form = parseAutoPost(await one.text());
      await fetch(form?.action as string, { method: 'POST', body: new URLSearchParams(form?.fields) });
      const got = emu.deepLinkReturns[emu.deepLinkReturns.length - 1];
      expect(got.ok).toBe(true);
      const items = got.payload?.[`${DL}content_items`] as Array<Record<string, unknown>>;
      expect(items).toHaveLength(1);
      expect(items[0].lineItem).toBeUndefined();
      expect(items[0].window).toEqual({ targetName: '_blank' });
      expect(got.payload?.[`${DL}data`]).toBeUndefined();
    });

    it('should refuse a course archived after the picker was opened, naming it', async () => {
      const settings = { deep_link_return_url: `${emu.url}/deep-linking/return`, accept_types: ['ltiResourceLink'], accept_presentation_document_targets: ['iframe'] };
      const res = await emu.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking', claims: { [`${DL}deep_linking_settings`]: settings } });
      const [, action, session] = /<form method="post" action="([^"]+)"><input type="hidden" name="session" value="([^"]+)">/.exec(res.text) as RegExpExecArray;
      const pick = () => fetch(action, { method: 'POST', body: new URLSearchParams({ session, action: 'add', course_id: tb.courseId }), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect((await fetch(`${tb.app.appUrl}/api/courses/${tb.courseId}/archive`, { method: 'POST', headers: tb.app.auth })).status).toBe(200);
      try {
        const refused = await pick();
        expect(refused.status).toBe(409);
        const page = await refused.text();
        expect(code(page)).toBe('lti_deep_linking_course_archived');
        expect(page).toContain('can no longer be added');
      } finally {
        expect((await fetch(`${tb.app.appUrl}/api/courses/${tb.courseId}/unarchive`, { method: 'POST', headers: tb.app.auth })).status).toBe(200);
      }
      expect(parseAutoPost(await (await pick()).text())).not.toBeNull(); // the same picker works again once it is back
    });

    it('should answer at once with an errormsg when ltiResourceLink is not accepted', async () => {
      const settings = { deep_link_return_url: `${emu.url}/deep-linking/return`, accept_types: ['file'], accept_presentation_document_targets: ['iframe'], data: 'd1' };
      const res = await emu.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking', claims: { [`${DL}deep_linking_settings`]: settings } });
      const form = parseAutoPost(res.text);
      await fetch(form?.action as string, { method: 'POST', body: new URLSearchParams(form?.fields) });
      const got = emu.deepLinkReturns[emu.deepLinkReturns.length - 1];
      expect(got.ok).toBe(true);
      expect(got.payload).toMatchObject({ [`${DL}content_items`]: [], [`${DL}errormsg`]: expect.any(String), [`${DL}data`]: 'd1' });
    });

    it('should post an empty response on cancel', async () => {
      const res = await emu.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking' });
      const [, action, session] = /<form method="post" action="([^"]+)"><input type="hidden" name="session" value="([^"]+)">/.exec(res.text) as RegExpExecArray;
      const cancel = await fetch(action, { method: 'POST', body: new URLSearchParams({ session, action: 'cancel' }) });
      const form = parseAutoPost(await cancel.text());
      await fetch(form?.action as string, { method: 'POST', body: new URLSearchParams(form?.fields) });
      expect(emu.deepLinkReturns[emu.deepLinkReturns.length - 1].payload?.[`${DL}content_items`]).toEqual([]);
    });

    it('should refuse the picker to a learner', async () => {
      const res = await emu.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking', claims: { [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] } });
      expect(res.status).toBe(403);
      expect(code(res.text)).toBe('lti_deep_linking_forbidden');
    });

    it('should refuse a forged picker session', async () => {
      const res = await fetch(`${tb.app.appUrl}/lti/deep-linking/respond`, { method: 'POST', body: new URLSearchParams({ session: 'x.y.z', course_id: tb.courseId }) });
      expect(res.status).toBe(401);
      expect(code(await res.text())).toBe('lti_deep_linking_session_invalid');
      const none = await fetch(`${tb.app.appUrl}/lti/deep-linking/respond`, { method: 'POST', body: new URLSearchParams({ course_id: tb.courseId }) });
      expect(none.status).toBe(400);
      expect(code(await none.text())).toBe('lti_deep_linking_session_invalid');
      const extra = await fetch(`${tb.app.appUrl}/lti/deep-linking/respond`, { method: 'POST', body: new URLSearchParams({ session: 'x.y.z', colour: 'red' }) });
      expect(code(await extra.text())).toBe('invalid_body');
    });

    it('should refuse a Dynamic Registration opened without an openid_configuration URL, in a page', async () => {
      for (const query of ['', '?openid_configuration=not-a-url', '?openid_configuration=ftp%3A%2F%2Flms.example%2Fcfg']) {
        const res = await fetch(`${tb.app.appUrl}/lti/register${query}`);
        expect({ status: res.status, code: code(await res.text()) }).toEqual({ status: 400, code: 'lti_registration_invalid' });
      }
    });
  });

  describe('platform storage (cookie-free state binding)', () => {
    it('should bind the state through lti.put_data/lti.get_data when cookies are blocked', async () => {
      const res = await emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, storageTarget: 'post_message_forwarding', cookies: false });
      expect(res.login.status).toBe(200);
      expect(readJsonScript(res.login.text, 'lti-storage-login')).toMatchObject({ storageTarget: 'post_message_forwarding', platformOrigin: emu.url });
      expect(emu.platformStorage.size).toBeGreaterThan(0);
      expect(res.status).toBeLessThan(400);
      expect(code(res.text)).toBeNull();
    });

    it('should refuse a wrong platform-storage value', async () => {
      const res = await emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, storageTarget: '_parent', cookies: false, storageValue: 'forged' });
      expect(res.status).toBe(401);
      expect(code(res.text)).toBe('lti_state_invalid');
    });

    it('should refuse a storage value posted from another site (login CSRF with a known binding)', async () => {
      const res = await emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, storageTarget: '_parent', cookies: false, storageOrigin: 'https://evil.example' });
      expect(res.status).toBe(401);
      expect(code(res.text)).toBe('lti_state_invalid');
    });

    it('should offer a new window when platform storage gives nothing back', async () => {
      const res = await emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, storageTarget: '_parent', cookies: false, storageValue: '' });
      expect(res.status).toBe(401);
      expect(res.text).toContain('Open in a new window');
    });

    it('should still accept the cookie when the platform offers storage and the cookie arrives', async () => {
      const res = await emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, storageTarget: '_parent' });
      expect(res.status).toBeLessThan(400);
      expect(code(res.text)).toBeNull();
    });
  });

  describe('Dynamic Registration', () => {
    const start = (q: Record<string, string>) => fetch(`${tb.app.appUrl}/lti/register?${new URLSearchParams(q)}`);

    it('should register, store client id and deployment, report scopes, close, and then launch with the new client', async () => {
      emu.grantScopes = ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem'];
      // The manual registration of the same LMS would be a duplicate: remove it first.
      const other = await emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId });
      expect(other.status).toBeLessThan(400);
      await api('DELETE', `/api/platforms/${tb.platformId}`);
      try {
        const res = await start({ openid_configuration: `${emu.url}/.well-known/openid-configuration`, registration_token: 'reg-token-123' });
        const html = await res.text();
        expect(res.status).toBe(200);
        // the outcome page in the console's look, CSP-clean: its one script posts the close message on the admin's click
        expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(html).not.toMatch(/<script>|<style>| on[a-z]+=/);
        expect(html).toContain('<script type="module" src="/console/assets/registration-done.js"></script>');
        expect(html).toContain('<link rel="stylesheet" href="/console/assets/console.css">');
        expect(html).toContain('data-client-id>dyn-client-1<');
        expect(html).toContain(`<h1>Registered with Emulator (${new URL(emu.issuer).host})</h1>`);
        expect(html).not.toContain('data-customer'); // registered without a customer's link: bound to none
        // granted: score and lineitem; missing: the read-only AGS scopes and NRPS; Deep Linking accepted (the answer lists the message)
        const services = [...html.matchAll(/<tr data-service data-granted="(true|false)"><th scope="row">([^<]+)<\/th>/g)].map((m) => [m[2], m[1]]);
        expect(services).toEqual([
          ['Grades: send scores (Assignment and Grade Services)', 'true'],
          ['Grades: gradebook columns (Assignment and Grade Services)', 'true'],
          ['Grades: read columns and results (Assignment and Grade Services)', 'false'],
          ['Course rosters (Names and Role Provisioning Services)', 'false'],
          ['Course picker (Deep Linking)', 'true'],
        ]);
        expect(html).toContain('The LMS did not grant 2 services');
        expect(html).toContain('contextmembership.readonly');
        const script = await fetch(`${tb.app.appUrl}/console/assets/registration-done.js`);
        expect(script.status).toBe(200);
        expect(await script.text()).toContain("postMessage({ subject: 'org.imsglobal.lti.close' }, '*')");
        const reg = emu.registrations[0];
        // the icon the LMS shows beside the tool: an absolute URL on the tool's origin that answers a PNG
        expect(reg.request.logo_uri).toBe(`${tb.app.appUrl}/icon.png`);
        const logo = await fetch(reg.request.logo_uri as string);
        expect(logo.status).toBe(200);
        expect(logo.headers.get('content-type')).toBe('image/png');
        expect(reg.request).toMatchObject({
          client_name: 'SCORM LTI bridge',
          initiate_login_uri: `${tb.app.appUrl}/lti/login`,
          redirect_uris: [`${tb.app.appUrl}/lti/launch`],
          jwks_uri: `${tb.app.appUrl}/.well-known/jwks.json`,
          token_endpoint_auth_method: 'private_key_jwt',
          scope: expect.stringContaining('https://purl.imsglobal.org/spec/lti-ags/scope/score'),
        });
        const configured = reg.request['https://purl.imsglobal.org/spec/lti-tool-configuration'] as { messages: Array<{ type: string }> };
        expect(configured.messages.map((m) => m.type)).toContain('LtiDeepLinkingRequest');
        expect(emu.received.some((r) => r.path === '/register' && r.headers.authorization === 'Bearer reg-token-123')).toBe(true);
        const list = (await api('GET', '/api/platforms')).body as unknown as Array<Record<string, unknown>>;
        const created = list.find((p) => p.clientId === 'dyn-client-1');
        expect(created).toMatchObject({ issuer: emu.issuer, deploymentIds: ['dyn-deployment-1'], registeredBy: 'dynamic', grantedScopes: [...(emu.grantScopes ?? [])].sort() });
        const launched = await emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, clientId: 'dyn-client-1' });
        expect(launched.status).toBeLessThan(400);
        expect(code(launched.text)).toBeNull();

        const again = await start({ openid_configuration: `${emu.url}/.well-known/openid-configuration`, registration_token: 'reg-token-123' });
        expect(again.status).toBe(409);
        expect(code(await again.text())).toBe('lti_registration_duplicate');
        expect(emu.registrations).toHaveLength(1);
      } finally {
        emu.grantScopes = null;
      }
    });

    it("should name Moodle's next steps and show Deep Linking missing when a Moodle-like LMS leaves it out of its answer", async () => {
      const lms = await PlatformEmulator.start({ toolUrl: tb.app.appUrl });
      lms.productFamilyCode = 'moodle';
      lms.grantDeepLinking = false;
      try {
        const res = await fetch(`${tb.app.appUrl}/lti/register?${new URLSearchParams({ openid_configuration: `${lms.url}/.well-known/openid-configuration`, registration_token: 'reg-token-123' })}`);
        const html = await res.text();
        expect(res.status).toBe(200);
        expect(html).toContain(`<h1>Registered with Moodle (${new URL(lms.issuer).host})</h1>`);
        expect(html).toContain('<tr data-service data-granted="false"><th scope="row">Course picker (Deep Linking)</th>');
        expect(html).toContain('The LMS did not grant one service');
        expect(html).toContain('data-next="moodle"');
        expect(html).toContain('Show in activity chooser and as a preconfigured tool');
        const list = (await api('GET', '/api/platforms')).body as unknown as Array<Record<string, unknown>>;
        expect(list.find((p) => p.issuer === lms.issuer)).toMatchObject({ name: `Moodle (${new URL(lms.issuer).host})`, registeredBy: 'dynamic' });
      } finally {
        await lms.stop();
      }
    });

    it('should answer a refusal as a readable page with the code and a Close button (no inline script)', async () => {
      const res = await start({ openid_configuration: `${tb.app.appUrl}/lti/config`, registration_token: 'x' });
      const html = await res.text();
      expect(res.status).toBe(400);
      expect(code(html)).toBe('lti_registration_issuer_mismatch');
      expect(html).toContain('This tool stored no registration.');
      expect(html).toContain('<button type="button" id="close">Close</button>');
      expect(html).toContain('<script type="module" src="/console/assets/registration-done.js"></script>');
      expect(html).not.toMatch(/<script>/);
    });

    it('should refuse a configuration whose issuer does not match its URL', async () => {
      const res = await start({ openid_configuration: `${tb.app.appUrl}/lti/config`, registration_token: 'x' });
      expect(res.status).toBe(400);
      expect(code(await res.text())).toBe('lti_registration_issuer_mismatch');
    });

    it('should report a refused registration token', async () => {
      const res = await start({ openid_configuration: `${emu.url}/.well-known/openid-configuration`, registration_token: 'wrong' });
      expect(res.status).toBe(502);
      expect(code(await res.text())).toBe('lti_registration_failed');
    });
  });
});
