import { Injectable, Logger } from '@nestjs/common';
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike, SignJWT } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { ToolKey } from './tool-key.entity';
import { ToolKeysRepository } from './tool-keys.repository';
import { ChangeNotices } from '../../database/change-notices';

/** How long a retired key stays in the public JWKS (Sec §6.4: platforms cache key sets). */
export const KEY_GRACE_MS = 7 * 24 * 3600 * 1000;
/** How long one instance trusts its in-memory copy before re-reading (a rotation anywhere also drops it at once: ChangeNotices). */
const CACHE_MS = 30_000;

interface Loaded {
  kid: string;
  privateKey: KeyLike;
  jwks: { keys: JWK[] };
  loadedAt: number;
}

/**
 * The tool's RS256 signing keys (docs/architecture.md, Sec §6): generated at first start, kept in the database so
 * several instances share them, published at `/.well-known/jwks.json`, rotated with overlap. Used for
 * client assertions (grades/AGS) and the Deep Linking response.
 */
@Injectable()
export class ToolKeysService {
  private readonly logger = new Logger(ToolKeysService.name);
  private loaded: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;
  /** Bumped by a rotation: a load that started before it is not kept. */
  private generation = 0;

  constructor(
    private readonly keys: ToolKeysRepository,
    private readonly changes: ChangeNotices,
  ) {
    changes.on('tool-keys', () => {
      this.generation++;
      this.loaded = null;
      this.loading = null;
    });
  }

  /** Signs a JWT with the current key (`alg` RS256, `kid`, `typ` JWT); `iat` now, `exp` default 5 min. */
  async signJwt(payload: Record<string, unknown>, opts: { expiresInSeconds?: number } = {}): Promise<string> {
    const { kid, privateKey } = await this.current();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...payload })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuedAt(typeof payload.iat === 'number' ? payload.iat : now)
      .setExpirationTime(typeof payload.exp === 'number' ? payload.exp : now + (opts.expiresInSeconds ?? 300))
      .sign(privateKey);
  }

  /** The public key set: the current key plus retired keys still inside the grace period. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return (await this.current()).jwks;
  }

  async currentKid(): Promise<string> {
    return (await this.current()).kid;
  }

  /**
   * Makes a new key current and retires the others; retired keys stay published for KEY_GRACE_MS so
   * tokens already signed (and platforms' cached sets) keep verifying. Keys past the grace are deleted.
   */
  async rotate(): Promise<{ kid: string; previous: string[] }> {
    const now = Date.now();
    const fresh = await makeKey(now);
    const previous = await this.keys.rotate(fresh, now, now - KEY_GRACE_MS);
    this.changes.publish('tool-keys');
    this.logger.log(`tool key rotated: current kid ${fresh.kid}, retired ${previous.join(', ') || 'none'}`);
    return { kid: fresh.kid, previous };
  }

  private async current(): Promise<Loaded> {
    if (this.loaded && Date.now() - this.loaded.loadedAt < CACHE_MS) {
      return this.loaded;
    }
    if (!this.loading) {
      this.loading = this.load().finally(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private async load(): Promise<Loaded> {
    const generation = this.generation;
    let rows = await this.keys.listKeys();
    if (!rows.some((k) => k.retiredAtMs === null)) {
      // First start: several instances may race here; the insert is serialised and skipped when
      // another instance's key is already there, so all of them sign with the same key.
      if (await this.keys.insertFirstKey(await makeKey(Date.now()))) {
        this.logger.log('generated the first tool signing key');
      }
      rows = await this.keys.listKeys();
    }
    const now = Date.now();
    const live = rows.filter((k) => k.retiredAtMs === null).sort((a, b) => b.createdAtMs - a.createdAtMs || a.kid.localeCompare(b.kid));
    const current = live[0];
    const published = rows.filter((k) => k.retiredAtMs === null || now - k.retiredAtMs < KEY_GRACE_MS);
    const privateKey = (await importJWK(JSON.parse(current.privateJwk) as JWK, 'RS256')) as KeyLike;
    const loaded = {
      kid: current.kid,
      privateKey,
      jwks: { keys: [current, ...published.filter((k) => k.kid !== current.kid)].map((k) => JSON.parse(k.publicJwk) as JWK) },
      loadedAt: now,
    };
    if (generation === this.generation) {
      this.loaded = loaded;
    }
    return loaded;
  }
}

async function makeKey(now: number): Promise<ToolKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = `${new Date(now).toISOString().slice(0, 10)}-${createHash('sha256').update(pub.n ?? '').update(randomBytes(8)).digest('base64url').slice(0, 16)}`;
  const key = new ToolKey();
  key.kid = kid;
  key.publicJwk = JSON.stringify({ ...pub, kid, alg: 'RS256', use: 'sig' });
  key.privateJwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'RS256' });
  key.createdAtMs = now;
  key.retiredAtMs = null;
  return key;
}
