import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { ContentModule } from '../content/content.module';
import { StorageModule } from '../storage/storage.module';
import { CourseImportService } from './course-import.service';
import { CoursesController } from './courses.controller';
import { CoursesRepository } from './courses.repository';
import { CoursesService } from './courses.service';
import { PackageUploadInterceptor } from './upload';

@Module({
  imports: [AdminModule, ContentModule, StorageModule],
  controllers: [CoursesController],
  providers: [CourseImportService, CoursesService, CoursesRepository, PackageUploadInterceptor],
  exports: [CourseImportService, CoursesService, CoursesRepository],
})
export class CoursesModule {}
