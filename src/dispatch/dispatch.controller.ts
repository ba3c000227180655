import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { CreateDispatchBody, PackageQuery } from './dispatch.dto';
import { DispatchDto, DispatchService } from './dispatch.service';

/** Admin API: a customer's dispatch packages (issue 12, src/dispatch/README.md). */
@Controller('api/customers/:customerId/dispatches')
@UseGuards(AdminGuard)
export class DispatchController {
  constructor(private readonly dispatches: DispatchService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Dispatch a course to this customer (courseId, title?): a licence in force must cover it.' })
  create(@Param('customerId') customerId: string, @Body() body: CreateDispatchBody): Promise<DispatchDto> {
    return this.dispatches.create(customerId, body);
  }

  @Get()
  @ApiOperation({ summary: 'The customer’s dispatches, active and revoked.' })
  list(@Param('customerId') customerId: string): Promise<DispatchDto[]> {
    return this.dispatches.list(customerId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dispatch.' })
  get(@Param('customerId') customerId: string, @Param('id') id: string): Promise<DispatchDto> {
    return this.dispatches.get(customerId, id);
  }

  @Get(':id/package')
  @ApiProduces('application/zip')
  @ApiOperation({ summary: 'The SCORM 1.2 (default) or 2004 zip to import into the customer’s LMS: a launch page and the signed dispatch id, no course content.' })
  async package(@Param('customerId') customerId: string, @Param('id') id: string, @Query() query: PackageQuery, @Res() res: Response): Promise<void> {
    const { filename, zip } = await this.dispatches.package(customerId, id, query.scorm ?? '1.2');
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.end(zip);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke one dispatch: its imported packages show a notice; learners’ data is kept.' })
  revoke(@Param('customerId') customerId: string, @Param('id') id: string): Promise<DispatchDto> {
    return this.dispatches.revoke(customerId, id);
  }
}
