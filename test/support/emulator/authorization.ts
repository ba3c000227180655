import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import type { PlatformEmulator } from '../platform-emulator';
import { json } from './http';
import { LTI, type Client, type LaunchOptions } from './types';

/**
 * The platform's OIDC authorization endpoint: the second leg of an LTI launch (Sec §5.1.1). It checks
 * what the tool's login redirect asked for and answers with an auto-post form carrying a signed
 * id_token, whose claims come from the fixtures in fixtures/lti.
 */

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'lti');

/** The target_link_uri of a launch: the one given, else the course's, the deep-linking or the plain launch URL. */
export function targetLinkUri(opts: LaunchOptions): string {
  return (
    opts.targetLinkUri ??
    (opts.courseId
      ? `${opts.toolUrl}/lti/courses/${opts.courseId}`
      : opts.messageType === 'deep-linking'
        ? `${opts.toolUrl}/lti/deep-link`
        : `${opts.toolUrl}/lti/launch`)
  );
}

/** OIDC authorization endpoint (Sec §5.1.1.2–3): checks every parameter, then form-posts the id_token. */
export async function authorize(emu: PlatformEmulator, q: URLSearchParams, res: http.ServerResponse): Promise<void> {
  const fail = (m: string) => json(res, 400, { error: 'invalid_request', error_description: m });
  const expect: Record<string, string> = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none' };
  for (const [k, v] of Object.entries(expect)) {
    if (q.get(k) !== v) {
      return fail(`${k} must be ${v}`);
    }
  }
  const client = emu.clients.get(q.get('client_id') ?? '');
  if (!client) {
    return fail('unknown client_id');
  }
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!client.redirectUris.includes(redirectUri)) {
    return fail('redirect_uri is not registered for this client');
  }
  const nonce = q.get('nonce');
  const state = q.get('state');
  if (!nonce || !state) {
    return fail('nonce and state are required');
  }
  const hint = q.get('lti_message_hint') ?? '';
  const pending = emu.pending.get(hint);
  if (!pending || q.get('login_hint') !== `user-${hint.slice(0, 8)}`) {
    return fail('login_hint / lti_message_hint not echoed unaltered');
  }
  emu.pending.delete(hint);
  const opts = pending.opts;
  const target = targetLinkUri(opts);
  const claims = buildClaims(emu, opts, client, nonce, target);
  const idToken = await emu.signIdToken(claims, opts.sign);
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><html><body><form method="post" action="${esc(redirectUri)}"><input type="hidden" name="id_token" value="${esc(idToken)}"><input type="hidden" name="state" value="${esc(state)}"></form><script>document.forms[0].submit()</script></body></html>`,
  );
}

const fixtures = new Map<string, string>();

/** A claims fixture's text, read once per process (the launch bench signs tens of tokens a second). */
function fixture(file: string): string {
  let text = fixtures.get(file);
  if (text === undefined) {
    text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    fixtures.set(file, text);
  }
  return text;
}

/** The claims of a launch as the authorization endpoint signs them. */
export function buildClaims(emu: PlatformEmulator, opts: LaunchOptions, client: Client, nonce: string, targetLinkUri: string): Record<string, unknown> {
  const file = opts.messageType === 'deep-linking' ? 'deep-linking.json' : 'resource-link.json';
  const raw = fixture(file).split('{platform}').join(emu.url);
  const claims = JSON.parse(raw) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  Object.assign(claims, {
    iss: emu.issuer,
    aud: client.clientId,
    iat: now,
    exp: now + 60,
    nonce,
    [`${LTI}deployment_id`]: opts.deploymentId ?? client.deploymentId,
    [`${LTI}target_link_uri`]: targetLinkUri,
  });
  if (opts.courseId && opts.messageType !== 'deep-linking') {
    (claims[`${LTI}custom`] as Record<string, string>).course_id = opts.courseId;
  }
  for (const patch of [opts.claims, opts.finalClaims]) {
    for (const [k, v] of Object.entries(patch ?? {})) {
      if (v === undefined) {
        delete claims[k];
      } else {
        claims[k] = v;
      }
    }
  }
  if (opts.lti1p1) {
    // computed here from the migration guide's recipe, not by the tool's code
    const m = opts.lti1p1;
    const base = [m.consumerKey, claims[`${LTI}deployment_id`], claims.iss, claims.aud, claims.exp, claims.nonce].join('&');
    claims[`${LTI}lti1p1`] = {
      ...(m.userId ? { user_id: m.userId } : {}),
      ...(m.resourceLinkId ? { resource_link_id: m.resourceLinkId } : {}),
      oauth_consumer_key: m.consumerKey,
      oauth_consumer_key_sign: m.forgeSign ?? createHmac('sha256', m.secret).update(base).digest('base64'),
    };
  }
  return claims;
}
