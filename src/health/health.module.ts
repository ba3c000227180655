import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthRepository } from './health.repository';

/** `GET /health` for operators and load balancers. */
@Module({ controllers: [HealthController], providers: [HealthRepository] })
export class HealthModule {}
