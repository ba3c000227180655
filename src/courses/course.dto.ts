import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNumber, IsObject, IsOptional, IsPositive, IsString, Max, ValidateIf, ValidateNested } from 'class-validator';
import { FieldErrorCode, RequestErrorCode, Text } from '../common/validation';
import type { GradePolicy } from '../grades/score-policy';
import { ON_DUPLICATE_CHOICES } from './on-duplicate';

/** The grade policy overrides of a course; each left out keeps its stored value (or the default). */
export class GradePolicyBody implements Partial<GradePolicy> {
  @ApiPropertyOptional({ minimum: 0, exclusiveMinimum: true, maximum: 1_000_000, default: 100, description: 'The points the LMS column is worth (scoreMaximum sent with every score).' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: '$property must be a number above 0 (the points the LMS column is worth)' })
  @IsPositive({ message: '$property must be a number above 0 (the points the LMS column is worth)' })
  @Max(1_000_000, { message: '$property must be at most 1000000' })
  scoreMaximum?: number;

  @ApiPropertyOptional({ enum: ['highest', 'latest', 'first'], default: 'highest', description: "Which attempt's result is sent when a learner has several." })
  @IsOptional()
  @IsIn(['highest', 'latest', 'first'], { message: '$property must be "highest", "latest" or "first"' })
  attempts?: GradePolicy['attempts'];

  @ApiPropertyOptional({ default: true, description: 'A completed course without any score earns full credit.' })
  @IsOptional()
  @IsBoolean({ message: '$property must be true or false' })
  completionEarnsFullCredit?: boolean;
}

/** `PATCH /api/courses/:id`: the title and/or grade policy; `gradePolicy: null` goes back to the defaults. */
@RequestErrorCode('invalid_course_update')
export class UpdateCourseBody {
  @ApiPropertyOptional({ maxLength: 500 })
  @ValidateIf((body: UpdateCourseBody) => body.title !== undefined)
  @Text(500)
  title?: string;

  @ApiPropertyOptional({ type: () => GradePolicyBody, nullable: true })
  @FieldErrorCode('invalid_grade_policy')
  @IsOptional()
  @IsObject({ message: '$property must be an object with scoreMaximum, attempts and/or completionEarnsFullCredit, or null' })
  @ValidateNested()
  @Type(() => GradePolicyBody)
  gradePolicy?: GradePolicyBody | null;
}

/** `GET /api/courses?search=&archived=`: a part of the title to look for; archived or not. */
export class CourseListQuery {
  @ApiPropertyOptional({ description: 'Only courses whose title contains this text.' })
  @IsOptional()
  @IsString()
  search?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only archived courses; false: only courses in use; left out: both.' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: '$property must be "true" or "false"' })
  archived?: 'true' | 'false';
}

/** `POST /api/courses` and `POST /api/courses/:id/versions`: what to do when the same zip is already stored. */
export class UploadQuery {
  @ApiPropertyOptional({
    enum: ON_DUPLICATE_CHOICES,
    description:
      'When the zip (same SHA-256) is already a version of a course: "new-version" adds it as a new version of that course (on /versions: of this course), "separate" makes a separate course. Left out: 409 course_duplicate naming that version.',
  })
  @IsOptional()
  @IsIn(ON_DUPLICATE_CHOICES, { message: '$property must be "new-version" or "separate"' })
  onDuplicate?: (typeof ON_DUPLICATE_CHOICES)[number];
}
