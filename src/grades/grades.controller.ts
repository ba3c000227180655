import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../admin/admin.guard';
import { AttemptDto, GradeDeliveryDto, GradesAdminService } from './grades-admin.service';

/** Learners' attempts with their result and passback state, and the resend action (DESIGN §3, contract). */
@Controller('api')
@UseGuards(AdminGuard)
export class GradesController {
  constructor(private readonly grades: GradesAdminService) {}

  @Get('attempts')
  list(@Query('courseId') courseId?: string): Promise<AttemptDto[]> {
    return this.grades.listAttempts(courseId);
  }

  @Get('grade-deliveries/:id')
  get(@Param('id') id: string): Promise<GradeDeliveryDto> {
    return this.grades.getDelivery(id);
  }

  @Post('grade-deliveries/:id/resend')
  @HttpCode(200)
  resend(@Param('id') id: string): Promise<GradeDeliveryDto> {
    return this.grades.resend(id);
  }
}
