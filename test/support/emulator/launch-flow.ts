import { randomUUID } from 'node:crypto';
import type { PlatformEmulator } from '../platform-emulator';
import { targetLinkUri } from './authorization';
import type { BrowserRequest, BrowserTransport, HttpResult, LaunchOptions, LaunchResult } from './types';

/**
 * What the learner's browser does in an LTI launch, without a browser: the tool's login, the
 * platform's authorization, the auto-posted id_token, with a cookie jar for the tool's origin and
 * the platform storage path for browsers that block third-party cookies.
 */

/**
 * A whole browser launch without a browser: login (GET or POST) → 302 to our authorization endpoint
 * → auto-post form → POST to the tool's redirect URI, with a cookie jar for the tool's origin.
 */
export async function launch(emu: PlatformEmulator, opts: LaunchOptions): Promise<LaunchResult> {
  const jar = new Map<string, string>();
  const form = startLogin(emu, opts);
  const useCookies = opts.cookies !== false;
  const login =
    opts.loginMethod === 'POST'
      ? await send(
          emu,
          `${opts.toolUrl}/lti/login`,
          { method: 'POST', body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
          jar,
          useCookies,
        )
      : await send(emu, `${opts.toolUrl}/lti/login?${form.toString()}`, { method: 'GET', headers: {} }, jar, useCookies);
  let authUrl = login.status === 302 ? login.headers.get('location') : null;
  if (!authUrl && login.status === 200 && opts.storageTarget) {
    const cfg = readJsonScript(login.text, 'lti-storage-login') as { authUrl: string; state: string; binding: string } | null;
    if (cfg) {
      emu.platformStorage.set(`state-${cfg.state}`, cfg.binding); // what lti.put_data would do
      authUrl = cfg.authUrl;
    }
  }
  if (!authUrl) {
    return { ...login, stage: 'login', login };
  }
  await opts.afterLogin?.();
  const auth = await send(emu, authUrl, { method: 'GET', headers: {} }, jar, false);
  const post = parseAutoPost(auth.text);
  if (auth.status !== 200 || !post) {
    return { ...auth, stage: 'login', login };
  }
  const idToken = opts.tamper ? opts.tamper(post.fields.id_token) : post.fields.id_token;
  const state = opts.state ?? post.fields.state;
  const body = new URLSearchParams({ id_token: idToken, state });
  const postLaunch = () =>
    send(emu, post.action, { method: 'POST', body: body.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, jar, useCookies);
  let res = await postLaunch();
  if (res.status === 200 && opts.storageTarget) {
    const check = readJsonScript(res.text, 'lti-storage-launch') as { state: string } | null;
    if (check) {
      const value = opts.storageValue ?? emu.platformStorage.get(`state-${check.state}`) ?? '';
      res = await send(
        emu,
        post.action,
        {
          method: 'POST',
          body: new URLSearchParams({ id_token: idToken, state, lti_storage_binding: value }).toString(),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: opts.storageOrigin ?? new URL(opts.toolUrl).origin },
        },
        jar,
        useCookies,
      );
    }
  }
  return { ...res, stage: 'launch', login, idToken, state, claims: decodePayload(post.fields.id_token), replay: postLaunch };
}

/**
 * The third-party login initiation of a launch (Sec §5.1.1.1) as form fields, with the launch waiting
 * at the authorization endpoint under its `lti_message_hint`.
 */
function startLogin(emu: PlatformEmulator, opts: LaunchOptions): URLSearchParams {
  emu.useTool(opts.toolUrl);
  const hint = randomUUID();
  emu.pending.set(hint, { opts });
  const params: Record<string, string | undefined> = {
    iss: emu.issuer,
    login_hint: `user-${hint.slice(0, 8)}`,
    target_link_uri: targetLinkUri(opts),
    lti_message_hint: hint,
    client_id: opts.sendClientId === false ? undefined : (opts.clientId ?? emu.clientId),
    lti_deployment_id: opts.loginDeploymentId,
    lti_storage_target: opts.storageTarget,
    ...opts.loginParams,
  };
  return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * The tool's login URL of a launch for a real browser to open: login → the emulator's authorization
 * endpoint → its auto-posted id_token → the tool's launch page, all in the browser.
 */
export function browserLoginUrl(emu: PlatformEmulator, opts: LaunchOptions): string {
  return `${opts.toolUrl}/lti/login?${startLogin(emu, opts).toString()}`;
}

/** One HTTP exchange with a per-browser cookie jar (Secure cookies are kept: localhost counts as secure). */
async function send(emu: PlatformEmulator, url: string, request: BrowserRequest, jar: Map<string, string>, useCookies: boolean): Promise<HttpResult> {
  if (useCookies && jar.size) {
    request.headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  const res = await emu.browserTransport(url, request);
  for (const c of res.setCookies) {
    const [pair, ...attrs] = c.split(';');
    const i = pair.indexOf('=');
    const name = pair.slice(0, i).trim();
    if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) {
      jar.delete(name);
    } else {
      jar.set(name, pair.slice(i + 1).trim());
    }
  }
  return res;
}

/** The default {@link BrowserTransport}: fetch, redirects not followed. */
export const fetchTransport: BrowserTransport = async (url, request) => {
  const res = await fetch(url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text(), setCookies: res.headers.getSetCookie() };
};

const unescapeHtml = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Reads an auto-post form (action + hidden fields) out of an HTML page. */
export function parseAutoPost(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form[^>]*action="([^"]*)"/i.exec(html);
  if (!form) {
    return null;
  }
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) {
    fields[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  }
  return { action: unescapeHtml(form[1]), fields };
}

/** Reads `<script type="application/json" id="…">` data out of a page. */
export function readJsonScript(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  return m ? (JSON.parse(m[1]) as unknown) : null;
}

function decodePayload(jwt: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
