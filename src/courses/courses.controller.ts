import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { CourseListQuery, UpdateCourseBody, UploadQuery } from './course.dto';
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
  @ApiOperation({
    summary:
      'Import a SCORM package as a new course (multipart field "package"); 201 with the course and its warnings. A zip already stored answers 409 course_duplicate (with "duplicate": the course and version) unless ?onDuplicate= says what to do.',
  })
  @ApiPackageUpload()
  async create(@Req() req: UploadRequest, @Query() query: UploadQuery): Promise<CourseDto> {
    return this.courses.toDtoForVersion(await this.importer.import(req.uploadedPackage, undefined, undefined, query.onDuplicate));
  }

  @Post(':id/versions')
  @HttpCode(201)
  @UseInterceptors(PackageUploadInterceptor)
  @ApiOperation({ summary: 'Upload a new version of a course (multipart field "package"). Open attempts stay on their version. A zip already stored: as for POST /api/courses.' })
  @ApiPackageUpload()
  async addVersion(@Param('id') id: string, @Req() req: UploadRequest, @Query() query: UploadQuery): Promise<CourseDto> {
    return this.courses.toDtoForVersion(await this.importer.import(req.uploadedPackage, id, undefined, query.onDuplicate));
  }

  @Get()
  @ApiOperation({ summary: 'List courses, newest first; ?search= filters by title.' })
  list(@Query() query: CourseListQuery): Promise<CourseDto[]> {
    return this.courses.list(query.search, query.archived === undefined ? undefined : query.archived === 'true');
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

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive a course: hidden from the Deep Linking picker, no new licences; links already in an LMS keep launching. Idempotent.' })
  archive(@Param('id') id: string): Promise<CourseDto> {
    return this.courses.archive(id);
  }

  @Post(':id/unarchive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bring an archived course back into the picker and licences. Idempotent.' })
  unarchive(@Param('id') id: string): Promise<CourseDto> {
    return this.courses.unarchive(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Delete a course no learner has an attempt on: its rows and every stored file of every version. 409 course_in_use (naming the attempts and learners) otherwise; archive it instead.",
  })
  async remove(@Param('id') id: string): Promise<void> {
    await this.courses.remove(id);
  }
}
