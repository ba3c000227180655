import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation } from '@nestjs/swagger';
import { AdminGuard } from '../admin/admin.guard';
import { AppError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { TOOL_ICON } from '../console/console-assets';
import { CoursesService } from '../courses/courses.service';
import { CustomersService } from '../customers/customers.service';
import { cartridgeXml } from './cartridge';
import { CreateLti11CredentialBody } from './lti11.dto';
import { Lti11CredentialDto, Lti11CredentialsService } from './lti11-credentials.service';

/** Admin API for a customer's LTI 1.1 consumer keys (issue 12, src/lti11/README.md). */
@Controller('api/customers/:id')
@UseGuards(AdminGuard)
export class Lti11Controller {
  constructor(
    private readonly credentials: Lti11CredentialsService,
    private readonly customers: CustomersService,
    private readonly courses: CoursesService,
    private readonly config: AppConfig,
  ) {}

  @Post('lti11-credentials')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an LTI 1.1 consumer key and secret for this customer; the secret is shown only in this answer.' })
  create(@Param('id') id: string, @Body() body: CreateLti11CredentialBody): Promise<Lti11CredentialDto & { secret: string }> {
    return this.credentials.create(id, body);
  }

  @Get('lti11-credentials')
  @ApiOperation({ summary: 'List the customer’s LTI 1.1 consumer keys (never their secrets), active or revoked.' })
  list(@Param('id') id: string): Promise<Lti11CredentialDto[]> {
    return this.credentials.list(id);
  }

  @Delete('lti11-credentials/:credentialId')
  @ApiOperation({ summary: 'Revoke an LTI 1.1 consumer key: its launches are refused from now on; its learners’ records, grades and seats stay.' })
  revoke(@Param('id') id: string, @Param('credentialId') credentialId: string): Promise<Lti11CredentialDto> {
    return this.credentials.revoke(id, credentialId);
  }

  @Get('lti11-cartridge.xml')
  @ApiOperation({ summary: 'The LTI 1.1 configuration XML (IMS Common Cartridge basic LTI link) of one course for this customer’s LMS: launch URL, title, icon, course_id; no key or secret.' })
  async cartridge(@Param('id') id: string, @Query('courseId') courseId: unknown, @Res() res: Response): Promise<void> {
    await this.customers.get(id); // customer_not_found
    if (typeof courseId !== 'string' || !courseId) {
      throw new AppError('lti11_cartridge_invalid', 'Name the course: ?courseId=<course id>.', HttpStatus.BAD_REQUEST);
    }
    const course = await this.courses.get(courseId); // course_not_found
    const xml = cartridgeXml({ publicUrl: this.config.publicUrl, courseId: course.id, title: course.title, description: course.currentVersion?.description ?? null, iconUrl: `${this.config.publicUrl}${TOOL_ICON.png.path}` });
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="lti11-${course.id}.xml"`);
    res.send(xml);
  }
}
