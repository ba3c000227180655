import { Controller, Get, HttpCode, Param, Post, Query, Req, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { Request } from 'express';
import { csvFile, wantsCsv } from '../common/csv';
import { attemptsCsv } from './attempts-csv';
import { AdminGuard } from '../admin/admin.guard';
import { AttemptsQuery } from './attempts-query.dto';
import { AttemptDto, GradeDeliveryDto, GradesAdminService } from './grades-admin.service';

/** Learners' attempts with their result and passback state, and the resend action (docs/rest-api.md, contract). */
@Controller('api')
@UseGuards(AdminGuard)
export class GradesController {
  constructor(private readonly grades: GradesAdminService) {}

  @Get('attempts')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: "Learners' attempts of a course (?courseId=) with completion, success, score and grade passback state; ?customerId= keeps one customer's, ?previews=false leaves previews out, ?format=csv downloads them.",
  })
  async list(@Query() query: AttemptsQuery, @Req() req: Request): Promise<AttemptDto[] | StreamableFile> {
    const attempts = await this.grades.listAttempts(query.courseId, { customerId: query.customerId, previews: query.previews !== 'false' });
    return wantsCsv(req, query.format) ? csvFile('attempts', attemptsCsv(attempts)) : attempts;
  }

  @Get('grade-deliveries/:id')
  @ApiOperation({ summary: 'One grade delivery to an LMS gradebook.' })
  get(@Param('id') id: string): Promise<GradeDeliveryDto> {
    return this.grades.getDelivery(id);
  }

  @Post('grade-deliveries/:id/resend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a failed or superseded grade again.' })
  resend(@Param('id') id: string): Promise<GradeDeliveryDto> {
    return this.grades.resend(id);
  }
}
