import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { LicencesModule } from '../licences/licences.module';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/**
 * Usage reports per customer and per course (src/reports/README.md): reads attempts, their SCO states,
 * resource links, platforms, customers and courses, and the licences (with their seats) through
 * `LicencesService`; writes nothing.
 */
@Module({
  imports: [AdminModule, LicencesModule],
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService],
})
export class ReportsModule {}
