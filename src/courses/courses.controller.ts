import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { CourseListQuery, UpdateCourseBody } from './course.dto';
import { CourseImportService } from './course-import.service';
import { CourseDto, CoursesService } from './courses.service';
import { ApiPackageUpload, PackageUploadInterceptor, UploadedPackage } from './upload';

type UploadRequest = Request & { uploadedPackage: UploadedPackage };

/** Content owners' course API (docs/rest-api.md, contract). */
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
  @ApiOperation({ summary: 'Import a SCORM package as a new course (multipart field "package"); 201 with the course and its warnings.' })
  @ApiPackageUpload()
  async create(@Req() req: UploadRequest): Promise<CourseDto> {
    return this.courses.toDtoForVersion(await this.importer.import(req.uploadedPackage));
  }

  @Post(':id/versions')
  @HttpCode(201)
  @UseInterceptors(PackageUploadInterceptor)
  @ApiOperation({ summary: 'Upload a new version of a course (multipart field "package"). Open attempts stay on their version.' })
  @ApiPackageUpload()
  async addVersion(@Param('id') id: string, @Req() req: UploadRequest): Promise<CourseDto> {
    return this.courses.toDtoForVersion(await this.importer.import(req.uploadedPackage, id));
  }

  @Get()
  @ApiOperation({ summary: 'List courses, newest first; ?search= filters by title.' })
  list(@Query() query: CourseListQuery): Promise<CourseDto[]> {
    return this.courses.list(query.search);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One course with its item tree and all versions.' })
  get(@Param('id') id: string): Promise<CourseDto> {
    return this.courses.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the title and/or grade policy (scoreMaximum, attempts: highest|latest|first, completionEarnsFullCredit); gradePolicy null restores the defaults.' })
  update(@Param('id') id: string, @Body() body: UpdateCourseBody): Promise<CourseDto> {
    return this.courses.update(id, body);
  }
}
