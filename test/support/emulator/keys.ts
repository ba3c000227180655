import { randomBytes } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import type { SignOptions } from './types';

/**
 * The platform's RS256 signing keys (made at start, never hard-coded), the JWKS it publishes at
 * `/jwks`, and id_token signing, with the forged headers, algorithms and keys the negative tests need.
 */

interface KeyEntry {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
  publicPem: string;
}

export class PlatformKeys {
  private keys: KeyEntry[] = [];

  get currentKid(): string {
    return this.keys[this.keys.length - 1].kid;
  }

  /** The JWKS document: every key that was not dropped. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /** Platform key rotation (Sec §6.4): a new current key; the old ones stay published unless dropped. */
  async rotate(opts: { dropOld?: boolean } = {}): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const kid = `emu-${randomBytes(6).toString('hex')}`;
    const entry: KeyEntry = {
      kid,
      privateKey,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
      publicPem: await exportSPKI(publicKey),
    };
    this.keys = opts.dropOld ? [entry] : [...this.keys, entry];
    return kid;
  }

  /** Signs an id_token (or any JWT) with the current key; `opts` forges header/alg/key for negative tests. */
  async sign(claims: Record<string, unknown>, opts: SignOptions = {}): Promise<string> {
    const alg = opts.alg ?? 'RS256';
    const key = this.keys[this.keys.length - 1];
    const header: Record<string, unknown> = { alg, typ: 'JWT' };
    if (opts.kid !== null) {
      header.kid = opts.kid ?? key.kid;
    }
    if (alg === 'none') {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${b64(header)}.${b64(claims)}.`;
    }
    const jwt = new SignJWT(claims).setProtectedHeader(header as { alg: string });
    if (alg === 'HS256') {
      return jwt.sign(opts.hsSecret ?? new TextEncoder().encode(key.publicPem));
    }
    if (alg === 'RS384') {
      const other = await generateKeyPair('RS384');
      return jwt.sign(opts.key ?? other.privateKey);
    }
    return jwt.sign(opts.key ?? key.privateKey);
  }
}

/** A fresh key pair that is not published (to forge signatures). */
export async function strangerKey(): Promise<KeyLike> {
  return (await generateKeyPair('RS256', { modulusLength: 2048 })).privateKey;
}
