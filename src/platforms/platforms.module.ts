import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { PlatformsController } from './platforms.controller';
import { PlatformsRepository } from './platforms.repository';
import { PlatformsService } from './platforms.service';

/** Registrations (platforms and their deployments); launch, deep linking and grades read them. */
@Module({ imports: [AdminModule], controllers: [PlatformsController], providers: [PlatformsService, PlatformsRepository], exports: [PlatformsService] })
export class PlatformsModule {}
