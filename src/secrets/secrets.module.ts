import { Module } from '@nestjs/common';
import { SecretsRepository } from './secrets.repository';
import { SecretsService } from './secrets.service';

/** Server secrets shared by all instances (HMAC keys for sessions, grants and tokens). */
@Module({ providers: [SecretsService, SecretsRepository], exports: [SecretsService] })
export class SecretsModule {}
