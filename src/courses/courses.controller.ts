import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { CourseImportService } from './course-import.service';
import { CourseDto, CoursesService } from './courses.service';
import { PackageUploadInterceptor, UploadedPackage } from './upload';

type UploadRequest = Request & { uploadedPackage: UploadedPackage };

/** Content owners' course API (DESIGN §3, contract). */
@Controller('api/courses')
@UseGuards(AdminGuard)
export class CoursesController {
  constructor(
    private readonly importer: CourseImportService,
    private readonly courses: CoursesService,
  ) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(PackageUploadInterceptor)
  async create(@Req() req: UploadRequest): Promise<CourseDto> {
    return this.courses.toDtoForVersion(await this.importer.import(req.uploadedPackage));
  }

  @Post(':id/versions')
  @HttpCode(201)
  @UseInterceptors(PackageUploadInterceptor)
  async addVersion(@Param('id') id: string, @Req() req: UploadRequest): Promise<CourseDto> {
    return this.courses.toDtoForVersion(await this.importer.import(req.uploadedPackage, id));
  }

  @Get()
  list(@Query('search') search?: string): Promise<CourseDto[]> {
    return this.courses.list(search);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<CourseDto> {
    return this.courses.get(id);
  }

  /** Title and grade policy (`{ scoreMaximum, attempts: highest|latest|first, completionEarnsFullCredit }`). */
  @Patch(':id')
  update(@Param('id') id: string, @Body() body: unknown): Promise<CourseDto> {
    return this.courses.update(id, body);
  }
}
