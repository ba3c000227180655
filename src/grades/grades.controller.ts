import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AdminGuard } from '../admin/admin.guard';
import { AttemptsQuery } from './attempts-query.dto';
import { AttemptDto, GradeDeliveryDto, GradesAdminService } from './grades-admin.service';

/** Learners' attempts with their result and passback state, and the resend action (docs/rest-api.md, contract). */
@Controller('api')
@UseGuards(AdminGuard)
export class GradesController {
  constructor(private readonly grades: GradesAdminService) {}

  @Get('attempts')
  @ApiOperation({ summary: "Learners' attempts of a course (?courseId=) with completion, success, score and grade passback state." })
  list(@Query() query: AttemptsQuery): Promise<AttemptDto[]> {
    return this.grades.listAttempts(query.courseId);
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
