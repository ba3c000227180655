import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { PackageStorage } from '../storage/package-storage';
import { HealthRepository } from './health.repository';

/** Liveness and readiness for operators: the database answers and course storage can be read and written (the bucket answers, with S3). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly repo: HealthRepository,
    private readonly storage: PackageStorage,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness.' })
  async health(@Res() res: Response): Promise<void> {
    const checks: Record<string, string> = {};
    try {
      await this.repo.pingDatabase();
      checks.database = 'ok';
    } catch {
      checks.database = 'unavailable';
    }
    try {
      await this.storage.check();
      checks.storage = 'ok';
    } catch {
      checks.storage = 'unavailable';
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: ok ? 'ok' : 'degraded', checks });
  }
}
