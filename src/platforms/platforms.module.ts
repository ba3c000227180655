import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { CustomersModule } from '../customers/customers.module';
import { PlatformsController } from './platforms.controller';
import { PlatformsRepository } from './platforms.repository';
import { PlatformsService } from './platforms.service';

/** Registrations (platforms and their deployments, each bound to at most one customer); launch, deep linking and grades read them. */
@Module({ imports: [AdminModule, CustomersModule], controllers: [PlatformsController], providers: [PlatformsService, PlatformsRepository], exports: [PlatformsService] })
export class PlatformsModule {}
