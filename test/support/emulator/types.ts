import type * as http from 'node:http';
import type { KeyLike } from 'jose';

/** The emulator's public option and result types, and the client record its endpoints share. */

/** The prefix of the LTI claims. */
export const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void | Promise<void>;

export interface SignOptions {
  /** 'none' builds an unsigned token; 'HS256' signs with `hsSecret` (default: our public key PEM, the alg-confusion attack). */
  alg?: 'RS256' | 'none' | 'HS256' | 'RS384';
  /** `null` leaves the kid out; a string overrides it. */
  kid?: string | null;
  /** Sign with this private key instead of the current one (a forged signature). */
  key?: KeyLike;
  hsSecret?: Uint8Array;
}

export interface LaunchOptions {
  /** The tool's app origin, e.g. http://localhost:41234. */
  toolUrl: string;
  messageType?: 'resource' | 'deep-linking';
  /** Sets target_link_uri to `${toolUrl}/lti/courses/${courseId}`. */
  courseId?: string;
  targetLinkUri?: string;
  /** Claims merged over the fixture (a value of `undefined` deletes the claim). */
  claims?: Record<string, unknown>;
  /** Claims set after iss/aud/nonce/times are filled in (override those). */
  finalClaims?: Record<string, unknown>;
  clientId?: string;
  /** Send client_id at login (default true). */
  sendClientId?: boolean;
  deploymentId?: string;
  /** Sent as lti_deployment_id at login when given. */
  loginDeploymentId?: string;
  loginMethod?: 'GET' | 'POST';
  /** Extra or overridden login parameters (`undefined` removes one). */
  loginParams?: Record<string, string | undefined>;
  storageTarget?: string;
  /** Send the state cookie back (default true). False models a browser blocking third-party cookies. */
  cookies?: boolean;
  /** With platform storage: the value get_data returns (default: what put_data stored). */
  storageValue?: string;
  /** `Origin` of the storage re-post (default: the tool's origin, as the tool's check page sends it). */
  storageOrigin?: string;
  sign?: SignOptions;
  /**
   * An LMS moved from LTI 1.1: the `lti1p1` claim with this key, signed (`oauth_consumer_key_sign`) with
   * the 1.1 secret over the launch's own deployment, iss, aud, exp and nonce; `forgeSign` sends another value.
   */
  lti1p1?: { consumerKey: string; secret: string; userId?: string; resourceLinkId?: string; forgeSign?: string };
  /** Rewrites the signed id_token before it is posted. */
  tamper?: (idToken: string) => string;
  /** Replaces the state posted with the id_token. */
  state?: string;
  /** Runs between the tool's login answer and the platform's authorization (e.g. a test moving the tool's clock). */
  afterLogin?: () => void | Promise<void>;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  setCookies: string[];
}

/** One request of the emulated browser, redirects not followed (the headers it sends, a string body). */
export interface BrowserRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * How the emulated browser sends a request: `fetch` by default; the launch bench swaps in keep-alive
 * node:http (bench/keep-alive-browser.ts), which costs its process a fraction of fetch's CPU.
 */
export type BrowserTransport = (url: string, request: BrowserRequest) => Promise<HttpResult>;

export interface LaunchResult extends HttpResult {
  /** Where the flow stopped: 'login' if the login did not redirect, else 'launch'. */
  stage: 'login' | 'launch';
  login: HttpResult;
  idToken?: string;
  state?: string;
  claims?: Record<string, unknown>;
  /** The launch form, to post again (replay tests). */
  replay?: () => Promise<HttpResult>;
}

/** A client id of the platform: one registration of a tool, with its deployment. */
export interface Client {
  clientId: string;
  deploymentId: string;
  redirectUris: string[];
  scopes: string[];
}

/** What the emulator checked on a Deep Linking response posted back to it. */
export interface DeepLinkReturn {
  ok: boolean;
  error?: string;
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
}
