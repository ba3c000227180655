import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/**
 * Usage reports per customer and per course (src/reports/README.md): reads attempts, their SCO states,
 * resource links, platforms, customers and courses, and writes nothing.
 */
@Module({
  imports: [AdminModule],
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService],
})
export class ReportsModule {}
