import type * as http from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { PlatformEmulator } from '../platform-emulator';

/**
 * The LTI 1.1 side of the platform emulator: a tool consumer that signs basic launches with oauth-1.0a
 * (another OAuth library than the tool's oauth-sign, so a shared bug cannot hide), and a Basic Outcomes
 * service that checks the tool's `oauth_body_hash` and signature with oauth-1.0a before it takes a
 * `replaceResult`. `browserLaunchUrl` gives a real browser an LMS page that signs and posts a launch.
 * Attach with {@link attachLti11}; fail the service with `emu.failNext(n, 503, '/outcomes')`.
 */

export interface Lti11LaunchAnswer {
  status: number;
  text: string;
  /** The signed form as posted (to post again: replay tests). */
  form: Record<string, string>;
  url: string;
}

export interface OutcomeRequest {
  sourcedId: string | null;
  score: string | null;
  /** The body hash matched the body and the signature matched the key's secret. */
  verified: boolean;
  why: string | null;
  authorization: string;
  at: number;
}

/** How a launch is signed: another secret, an old timestamp, a fixed nonce or another key forge it. */
export interface SignOptions {
  secret?: string;
  timestamp?: number;
  nonce?: string;
  key?: string;
}

function oauthOf(key: string, secret: string): OAuth {
  return new OAuth({ consumer: { key, secret }, signature_method: 'HMAC-SHA1', hash_function: (base, k) => createHmac('sha1', k).update(base).digest('base64') });
}

export class Lti11Consumer {
  /** Every `replaceResult` received, verified or not. */
  readonly outcomeRequests: OutcomeRequest[] = [];
  /** The gradebook: sourcedId → the last score accepted. */
  readonly gradebook = new Map<string, string>();
  /** Browser launch pages by id (`browserLaunchUrl`). */
  private readonly pages = new Map<string, { url: string; params: Record<string, string>; sign: SignOptions }>();

  constructor(
    private readonly emu: PlatformEmulator,
    public key: string,
    public secret: string,
  ) {
    emu.route('POST', '/outcomes', (req, res, body) => this.outcomeService(req, res, body));
    emu.route('GET', '/lti11/launch/', (req, res) => this.launchPage(req, res));
  }

  get outcomeServiceUrl(): string {
    return `${this.emu.url}/outcomes?tool=bridge`;
  }

  /** The form of a learner's launch of a link, before signing (override or drop fields with `extra`: undefined drops). */
  launchParams(userId: string, resourceLinkId: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
    const base: Record<string, string | undefined> = {
      lti_message_type: 'basic-lti-launch-request',
      lti_version: 'LTI-1p0',
      resource_link_id: resourceLinkId,
      resource_link_title: 'Week 1 (LTI 1.1)',
      user_id: userId,
      roles: 'Learner',
      lis_person_name_full: `Learner ${userId}`,
      context_id: 'ctx-11',
      context_title: 'Course 101',
      lis_outcome_service_url: this.outcomeServiceUrl,
      lis_result_sourcedid: `sourced-${resourceLinkId}-${userId}`,
      launch_presentation_return_url: `${this.emu.url}/return`,
      tool_consumer_info_product_family_code: 'emulator',
      ...extra,
    };
    return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  }

  /**
   * Signs a launch form for `url` with oauth-1.0a and posts it as a browser would. `sign` forges: another
   * secret, an old timestamp, a fixed nonce.
   */
  async launch(url: string, params: Record<string, string>, sign: SignOptions = {}): Promise<Lti11LaunchAnswer> {
    return this.post(url, this.signedForm(url, params, sign));
  }

  /**
   * A launch for a real browser: the URL of an LMS page (on the emulator) that, when opened, signs the
   * form for `url` at that moment and posts it to the tool, as an LMS's launch page does.
   */
  browserLaunchUrl(url: string, params: Record<string, string>, sign: SignOptions = {}): string {
    const id = randomBytes(8).toString('hex');
    this.pages.set(id, { url, params, sign });
    return `${this.emu.url}/lti11/launch/${id}`;
  }

  /** The signed form of a launch (oauth-1.0a), as the LMS posts it. */
  signedForm(url: string, params: Record<string, string>, sign: SignOptions = {}): Record<string, string> {
    const oauth = oauthOf(sign.key ?? this.key, sign.secret ?? this.secret);
    const data = { ...params };
    const oauthData: Record<string, string | number> = {
      oauth_consumer_key: sign.key ?? this.key,
      oauth_nonce: sign.nonce ?? randomBytes(16).toString('hex'),
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: sign.timestamp ?? Math.floor(Date.now() / 1000),
      oauth_version: '1.0',
    };
    const signature = oauth.getSignature({ url, method: 'POST', data: { ...data } }, '', { ...oauthData } as unknown as OAuth.Data); // copies: oauth-1.0a merges into the objects it is given
    return { ...data, ...Object.fromEntries(Object.entries(oauthData).map(([k, v]) => [k, String(v)])), oauth_signature: signature };
  }

  /** Posts a form as it is (a replay of a signed launch). */
  async post(url: string, form: Record<string, string>): Promise<Lti11LaunchAnswer> {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
    return { status: res.status, text: await res.text(), form, url };
  }

  private launchPage(req: http.IncomingMessage, res: http.ServerResponse): void {
    const page = this.pages.get(String(req.url).split('/').pop() ?? '');
    if (!page) {
      res.writeHead(404).end('no such launch');
      return;
    }
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const inputs = Object.entries(this.signedForm(page.url, page.params, page.sign)).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>LMS course</title><form method="post" action="${esc(page.url)}">${inputs.join('')}</form><script>document.forms[0].submit()</script>`);
  }

  private outcomeService(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const authorization = String(req.headers.authorization ?? '');
    const fields = Object.fromEntries([...authorization.replace(/^OAuth\s+/i, '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], decodeURIComponent(m[2])]));
    const url = `${this.emu.url}${req.url}`;
    let why: string | null = null;
    if (!/^OAuth /i.test(authorization)) {
      why = 'no OAuth Authorization header';
    } else if (fields.oauth_consumer_key !== this.key) {
      why = 'unknown consumer key';
    } else if (fields.oauth_body_hash !== createHash('sha1').update(body, 'utf8').digest('base64')) {
      why = 'oauth_body_hash does not match the body';
    } else {
      const { oauth_signature, realm: _realm, ...signed } = fields;
      const expected = oauthOf(this.key, this.secret).getSignature({ url, method: 'POST', data: {} }, '', signed as unknown as OAuth.Data);
      if (expected !== oauth_signature) {
        why = 'signature does not match';
      } else if (Math.abs(Date.now() / 1000 - Number(signed.oauth_timestamp)) > 24 * 3600) {
        // the tool's ManualClock may be ahead of real time in tests: accept a day either way
        why = 'timestamp out of range';
      }
    }
    const sourcedId = /<sourcedId>([^<]*)<\/sourcedId>/.exec(body)?.[1] ?? null;
    const score = /<textString>([^<]*)<\/textString>/.exec(body)?.[1] ?? null;
    this.outcomeRequests.push({ sourcedId, score, verified: why === null, why, authorization, at: Date.now() });
    const ok = why === null && /<replaceResultRequest>/.test(body) && sourcedId !== null && score !== null;
    if (ok) {
      this.gradebook.set(sourcedId, score);
    }
    res.writeHead(why ? 401 : 200, { 'Content-Type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"><imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version><imsx_messageIdentifier>${randomBytes(4).toString('hex')}</imsx_messageIdentifier><imsx_statusInfo><imsx_codeMajor>${ok ? 'success' : 'failure'}</imsx_codeMajor><imsx_severity>status</imsx_severity><imsx_description>${why ?? (ok ? 'Score set' : 'not a replaceResult')}</imsx_description></imsx_statusInfo></imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody>${ok ? '<replaceResultResponse/>' : ''}</imsx_POXBody></imsx_POXEnvelopeResponse>`,
    );
  }
}

/** Gives the emulator an LTI 1.1 consumer with this key and secret (the tool's, from `POST /api/customers/:id/lti11-credentials`). */
export function attachLti11(emu: PlatformEmulator, key: string, secret: string): Lti11Consumer {
  return new Lti11Consumer(emu, key, secret);
}
