import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { LicenceAccessService } from './licence-access.service';
import { LicencesController } from './licences.controller';
import { LicencesRepository } from './licences.repository';
import { LicencesService } from './licences.service';

/**
 * Licences (which customer may use which course, seats, dates) and the rule LTI asks at launch and
 * in Deep Linking (`LicenceAccessService`); the reports read the licences through `LicencesService`.
 */
@Module({
  imports: [AdminModule],
  controllers: [LicencesController],
  providers: [LicencesRepository, LicencesService, LicenceAccessService],
  exports: [LicenceAccessService, LicencesService],
})
export class LicencesModule {}
