import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';

/**
 * The admin bearer token (docs/architecture.md): ADMIN_TOKEN, or one generated at first start, kept in
 * `storage/admin-token` (mode 600) and printed once in the log.
 */
@Injectable()
export class AdminTokenService implements OnModuleInit {
  private readonly logger = new Logger(AdminTokenService.name);
  private digest: Buffer;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    let token = this.config.adminToken;
    if (!token) {
      const file = path.join(this.config.storageDir, 'admin-token');
      if (fs.existsSync(file)) {
        token = fs.readFileSync(file, 'utf8').trim();
      } else {
        token = randomBytes(24).toString('base64url');
        fs.mkdirSync(this.config.storageDir, { recursive: true });
        fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
        this.logger.log(`No ADMIN_TOKEN set: generated one and saved it in ${file}. Admin token: ${token}`);
      }
    }
    this.digest = sha256(token);
  }

  /** Constant-time comparison of a presented token with the admin token. */
  matches(candidate: string | undefined): boolean {
    if (!candidate) {
      return false;
    }
    return timingSafeEqual(sha256(candidate), this.digest);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
