import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { Request } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { csvFile, wantsCsv } from '../common/csv';
import { licencesCsv } from './licence-csv';
import { CreateLicenceBody, LicenceQuery, UpdateLicenceBody } from './licence.dto';
import { LicenceDto, LicencesService } from './licences.service';

/** Admin API for licences: which customer may use which course (issue 9, src/licences/README.md). */
@Controller('api/licences')
@UseGuards(AdminGuard)
export class LicencesController {
  constructor(private readonly licences: LicencesService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Grant a customer a course (courseId) or every course (courseId null), with optional seatLimit, startsAt, endsAt, state and notes.' })
  create(@Body() body: CreateLicenceBody): Promise<LicenceDto> {
    return this.licences.create(body);
  }

  @Get()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: 'List licences with seats used, status and warnings; filter by customerId and/or courseId (a course’s own licences and the every-course ones); ?format=csv for a download.' })
  async list(@Query() query: LicenceQuery, @Req() req: Request): Promise<LicenceDto[] | StreamableFile> {
    const rows = await this.licences.list(query);
    if (!wantsCsv(req, query.format)) {
      return rows;
    }
    return csvFile(query.customerId && rows.length ? `${rows[0].customerName}-licences` : 'licences', licencesCsv(rows));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One licence.' })
  get(@Param('id') id: string): Promise<LicenceDto> {
    return this.licences.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a licence (not its customer); a limit below the seats used is allowed and removes no seat.' })
  update(@Param('id') id: string, @Body() body: UpdateLicenceBody): Promise<LicenceDto> {
    return this.licences.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a licence; the seats its learners hold are kept.' })
  remove(@Param('id') id: string): Promise<void> {
    return this.licences.remove(id);
  }
}
