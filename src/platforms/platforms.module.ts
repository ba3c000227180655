import { Global, Module } from '@nestjs/common';
import { PlatformsController } from './platforms.controller';
import { PlatformsRepository } from './platforms.repository';
import { PlatformsService } from './platforms.service';

/** Registrations; exported globally because launch, deep linking and grades all read them. */
@Global()
@Module({ controllers: [PlatformsController], providers: [PlatformsService, PlatformsRepository], exports: [PlatformsService] })
export class PlatformsModule {}
