import { Controller, Get, Param, Query, Req, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { Request } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { csvFile, FormatQuery, wantsCsv } from '../common/csv';
import { courseReportCsv, coursesCsv, customerReportCsv, customersCsv } from './report-csv';
import { CourseReportDto, CourseUsageDto, CustomerReportDto, CustomerUsageDto, ReportsService } from './reports.service';

const FORMATS = ['application/json', 'text/csv'];

/** Usage reports per customer and per course, as JSON or CSV (docs/rest-api.md "Reports"). */
@Controller('api')
@UseGuards(AdminGuard)
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('reports/customers')
  @ApiProduces(...FORMATS)
  @ApiOperation({ summary: 'Every customer with its learners, attempts, completions, pass rate, average score and last activity (?format=csv for a download).' })
  async customers(@Query() q: FormatQuery, @Req() req: Request): Promise<CustomerUsageDto[] | StreamableFile> {
    const rows = await this.reports.customersOverview();
    return wantsCsv(req, q.format) ? csvFile('customers-report', customersCsv(rows)) : rows;
  }

  @Get('customers/:id/report')
  @ApiProduces(...FORMATS)
  @ApiOperation({ summary: "One customer's usage: totals and a line per course its learners used (?format=csv: the course lines)." })
  async customer(@Param('id') id: string, @Query() q: FormatQuery, @Req() req: Request): Promise<CustomerReportDto | StreamableFile> {
    const report = await this.reports.customerReport(id);
    return wantsCsv(req, q.format) ? csvFile(`${report.name}-report`, customerReportCsv(report)) : report;
  }

  @Get('reports/courses')
  @ApiProduces(...FORMATS)
  @ApiOperation({ summary: 'Every course with the customers using it and its usage across them (?format=csv for a download).' })
  async courses(@Query() q: FormatQuery, @Req() req: Request): Promise<CourseUsageDto[] | StreamableFile> {
    const rows = await this.reports.coursesOverview();
    return wantsCsv(req, q.format) ? csvFile('courses-report', coursesCsv(rows)) : rows;
  }

  @Get('reports/courses/:id')
  @ApiProduces(...FORMATS)
  @ApiOperation({ summary: "One course's usage: totals and a line per customer (?format=csv: the customer lines)." })
  async course(@Param('id') id: string, @Query() q: FormatQuery, @Req() req: Request): Promise<CourseReportDto | StreamableFile> {
    const report = await this.reports.courseReport(id);
    return wantsCsv(req, q.format) ? csvFile(`${report.title}-report`, courseReportCsv(report)) : report;
  }
}
