import { Module } from '@nestjs/common';
import { StorageModule } from '../storage/storage.module';
import { HealthController } from './health.controller';
import { HealthRepository } from './health.repository';

/** `GET /health` for operators and load balancers. */
@Module({ imports: [StorageModule], controllers: [HealthController], providers: [HealthRepository] })
export class HealthModule {}
