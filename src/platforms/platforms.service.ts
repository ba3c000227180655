import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppError, NotFoundError } from '../common/errors';
import { Platform } from './platform.entity';
import { Transactions } from '../database/transactions';
import { PlatformsRepository } from './platforms.repository';

export interface PlatformInput {
  name: string;
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  tokenAudience?: string | null;
  jwksUri: string;
  deploymentIds: string[];
}

export interface PlatformDto {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  tokenAudience: string | null;
  jwksUri: string;
  deploymentIds: string[];
  registeredBy: string;
  grantedScopes: string[];
  createdAt: string;
  updatedAt: string;
}

const URL_FIELDS = ['authorizationEndpoint', 'tokenEndpoint', 'jwksUri'] as const;

/**
 * Registrations are read on every login and launch and change rarely: a snapshot is kept this long.
 * Writes through this service drop it at once; another instance sees a change within this time.
 */
const SNAPSHOT_MS = 5000;

interface Snapshot {
  at: number;
  byId: Map<string, Platform>;
  byIssuer: Map<string, Platform[]>;
  deployments: Map<string, string[]>;
}

/**
 * LMS registrations and their deployments (DESIGN §3 `/api/platforms`). The grades module reads a
 * registration through `get()` to request AGS tokens.
 */
@Injectable()
export class PlatformsService {
  private readonly logger = new Logger(PlatformsService.name);
  private snapshot: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;
  /** Bumped by every write, so a snapshot read before a write is never kept after it. */
  private generation = 0;

  constructor(
    private readonly repo: PlatformsRepository,
    private readonly transactions: Transactions,
  ) {}

  /** A registration by id (read-only object: do not modify it). */
  async get(id: string): Promise<Platform> {
    const platform = (await this.snap()).byId.get(id);
    if (!platform) {
      throw new NotFoundError('platform', id);
    }
    return platform;
  }

  /** Every registration of an issuer (one per client id). */
  async findByIssuer(issuer: string): Promise<Platform[]> {
    return (await this.snap()).byIssuer.get(issuer) ?? [];
  }

  async hasDeployment(platformId: string, deploymentId: string): Promise<boolean> {
    return (await this.deploymentIds(platformId)).includes(deploymentId);
  }

  async deploymentIds(platformId: string): Promise<string[]> {
    return (await this.snap()).deployments.get(platformId) ?? [];
  }

  private async snap(): Promise<Snapshot> {
    if (this.snapshot && Date.now() - this.snapshot.at < SNAPSHOT_MS) {
      return this.snapshot;
    }
    if (!this.loading) {
      const started = Date.now();
      const gen = this.generation;
      this.loading = (async () => {
        const { platforms, deployments } = await this.repo.listPlatformsAndDeployments();
        const snap: Snapshot = { at: started, byId: new Map(), byIssuer: new Map(), deployments: new Map() };
        for (const p of platforms) {
          snap.byId.set(p.id, p);
          snap.byIssuer.set(p.issuer, [...(snap.byIssuer.get(p.issuer) ?? []), p]);
        }
        for (const d of deployments) {
          snap.deployments.set(d.platformId, [...(snap.deployments.get(d.platformId) ?? []), d.deploymentId]);
        }
        if (gen === this.generation) {
          this.snapshot = snap;
        }
        return snap;
      })().finally(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private invalidate(): void {
    this.generation++;
    this.snapshot = null;
    this.loading = null;
  }

  async list(): Promise<PlatformDto[]> {
    const { platforms, deployments } = await this.repo.listPlatformsAndDeployments();
    return platforms.map((p) =>
      toDto(
        p,
        deployments.filter((d) => d.platformId === p.id).map((d) => d.deploymentId),
      ),
    );
  }

  async getDto(id: string): Promise<PlatformDto> {
    const p = await this.get(id);
    return toDto(p, await this.deploymentIds(id));
  }

  async create(body: unknown, registeredBy: 'manual' | 'dynamic' = 'manual'): Promise<PlatformDto> {
    const input = validateInput(body, false) as PlatformInput;
    const id = await this.transactions.run(async (m) => {
      if (await this.repo.findPlatformByIssuerAndClient(input.issuer, input.clientId, m)) {
        throw duplicate(input.issuer, input.clientId);
      }
      const platform = await this.repo.insertPlatform(
        {
          name: input.name,
          issuer: input.issuer,
          clientId: input.clientId,
          authorizationEndpoint: input.authorizationEndpoint,
          tokenEndpoint: input.tokenEndpoint,
          tokenAudience: input.tokenAudience ?? null,
          jwksUri: input.jwksUri,
          registeredBy,
        },
        m,
      );
      if (!platform) {
        throw duplicate(input.issuer, input.clientId);
      }
      await this.repo.insertDeployments(platform.id, unique(input.deploymentIds), m);
      return platform.id;
    });
    this.invalidate();
    this.logger.log(`platform ${id} registered (${registeredBy}) issuer=${input.issuer} clientId=${input.clientId}`);
    return this.getDto(id);
  }

  async update(id: string, body: unknown): Promise<PlatformDto> {
    const patch = validateInput(body, true);
    await this.transactions.run(async (m) => {
      const platform = await this.repo.findPlatform(id, m);
      if (!platform) {
        throw new NotFoundError('platform', id);
      }
      const { deploymentIds, ...fields } = patch;
      Object.assign(platform, fields);
      const clash = await this.repo.findPlatformByIssuerAndClient(platform.issuer, platform.clientId, m);
      if (clash && clash.id !== id) {
        throw duplicate(platform.issuer, platform.clientId);
      }
      await this.repo.savePlatform(platform, m);
      if (deploymentIds) {
        await this.repo.deleteDeploymentsOf(id, m);
        await this.repo.insertDeployments(id, unique(deploymentIds), m);
      }
    });
    this.invalidate();
    return this.getDto(id);
  }

  async remove(id: string): Promise<void> {
    await this.transactions.run(async (m) => {
      if (!(await this.repo.deletePlatform(id, m))) {
        throw new NotFoundError('platform', id);
      }
      await this.repo.deleteDeploymentsOf(id, m);
    });
    this.invalidate();
  }

  async setGrantedScopes(platformId: string, scopes: string): Promise<void> {
    await this.repo.setGrantedScopes(platformId, scopes);
    this.invalidate();
  }

  /** Adds a deployment if absent (Dynamic Registration returns one; Core §3.1.3). */
  async addDeployment(platformId: string, deploymentId: string): Promise<void> {
    await this.repo.insertDeploymentIfAbsent(platformId, deploymentId);
    this.invalidate();
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function duplicate(issuer: string, clientId: string): AppError {
  return new AppError('platform_exists', `A platform with issuer "${issuer}" and client id "${clientId}" is already registered; edit it instead.`, HttpStatus.CONFLICT);
}

function toDto(p: Platform, deploymentIds: string[]): PlatformDto {
  return {
    id: p.id,
    name: p.name,
    issuer: p.issuer,
    clientId: p.clientId,
    authorizationEndpoint: p.authorizationEndpoint,
    tokenEndpoint: p.tokenEndpoint,
    tokenAudience: p.tokenAudience,
    jwksUri: p.jwksUri,
    deploymentIds,
    registeredBy: p.registeredBy,
    grantedScopes: p.grantedScopes ? p.grantedScopes.split(/\s+/).filter(Boolean).sort() : [],
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

function invalid(message: string): AppError {
  return new AppError('platform_invalid', message, HttpStatus.BAD_REQUEST);
}

/** Checks the API body by hand (no class-validator in this project); `partial` for PATCH. */
function validateInput(body: unknown, partial: boolean): Partial<PlatformInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('Send a JSON object with name, issuer, clientId, authorizationEndpoint, tokenEndpoint, jwksUri and deploymentIds.');
  }
  const b = body as Record<string, unknown>;
  const out: Partial<PlatformInput> = {};
  const allowed = new Set(['name', 'issuer', 'clientId', 'authorizationEndpoint', 'tokenEndpoint', 'tokenAudience', 'jwksUri', 'deploymentIds']);
  for (const key of Object.keys(b)) {
    if (!allowed.has(key)) {
      throw invalid(`Unknown field "${key}"; allowed fields are ${[...allowed].join(', ')}.`);
    }
  }
  const str = (key: 'name' | 'issuer' | 'clientId', max: number) => {
    const v = b[key];
    if (v === undefined && partial) {
      return;
    }
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) {
      throw invalid(`"${key}" must be a non-empty string of at most ${max} characters.`);
    }
    out[key] = v.trim();
  };
  str('name', 200);
  str('issuer', 500);
  str('clientId', 255);
  for (const key of URL_FIELDS) {
    const v = b[key];
    if (v === undefined && partial) {
      continue;
    }
    out[key] = httpUrl(key, v);
  }
  if (b.tokenAudience !== undefined && b.tokenAudience !== null && b.tokenAudience !== '') {
    if (typeof b.tokenAudience !== 'string' || b.tokenAudience.length > 1000) {
      throw invalid('"tokenAudience" must be a string (the token endpoint audience the platform names), or null.');
    }
    out.tokenAudience = b.tokenAudience.trim();
  } else if (b.tokenAudience !== undefined) {
    out.tokenAudience = null;
  }
  if (b.deploymentIds === undefined) {
    if (!partial) {
      out.deploymentIds = [];
    }
  } else {
    if (!Array.isArray(b.deploymentIds) || b.deploymentIds.some((d) => typeof d !== 'string' || d === '' || d.length > 255 || !/^[\x20-\x7e]+$/.test(d))) {
      throw invalid('"deploymentIds" must be a list of non-empty ASCII strings of at most 255 characters (LTI Core §5.3.3).');
    }
    out.deploymentIds = b.deploymentIds as string[];
  }
  return out;
}

function httpUrl(key: string, v: unknown): string {
  if (typeof v !== 'string') {
    throw invalid(`"${key}" must be an absolute http(s) URL.`);
  }
  try {
    const u = new URL(v.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      throw new Error('scheme');
    }
  } catch {
    throw invalid(`"${key}" must be an absolute http(s) URL, got "${v}".`);
  }
  return v.trim();
}
