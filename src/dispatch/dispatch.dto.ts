import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { OptionalText, RequestErrorCode, Text } from '../common/validation';

/** `POST /api/customers/:id/dispatches`: hand one course to the customer as a dispatch package. */
@RequestErrorCode('dispatch_invalid')
export class CreateDispatchBody {
  @ApiProperty({ maxLength: 36, description: 'The course to dispatch; a licence in force must cover it for the customer.' })
  @Text(36)
  courseId: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'What the LMS shows for the package; the course title when left out.' })
  @OptionalText(200)
  title?: string | null;
}

export const PACKAGE_VERSIONS = ['1.2', '2004'] as const;
export type PackageVersion = (typeof PACKAGE_VERSIONS)[number];

/** `GET /api/customers/:id/dispatches/:dispatchId/package?scorm=1.2|2004`. */
@RequestErrorCode('dispatch_invalid')
export class PackageQuery {
  @ApiPropertyOptional({ enum: PACKAGE_VERSIONS, default: '1.2', description: 'The SCORM version of the package (the LMS API it talks to), whatever the course’s own version.' })
  @IsOptional()
  @IsIn(PACKAGE_VERSIONS, { message: `$property must be one of ${PACKAGE_VERSIONS.join(', ')}` })
  scorm?: PackageVersion;
}

/** `POST /dispatch/:token/launch` (content origin): the LMS learner, read by the package page from the LMS's own API. */
@RequestErrorCode('dispatch_launch_invalid')
export class DispatchLaunchBody {
  @ApiProperty({ maxLength: 255, description: 'cmi.core.student_id (1.2) or cmi.learner_id (2004) of the LMS.' })
  @Text(255)
  learnerId: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: 'cmi.core.student_name or cmi.learner_name ("Family, Given").' })
  @OptionalText(500)
  learnerName?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 4000, description: 'The LMS’s own cmi.core.lesson_location / cmi.location when its entry is "resume": used only when the bridge has no record of the learner.' })
  @IsOptional()
  @IsString({ message: '$property must be a string of at most 4000 characters, or null' })
  @MaxLength(4000, { message: '$property must be a string of at most 4000 characters, or null' })
  lmsLocation?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The LMS’s own cmi.suspend_data when its entry is "resume" (at most MAX_SUSPEND_DATA_CHARS, checked as a commit is); used likewise.' })
  @IsOptional()
  @IsString({ message: '$property must be a string, or null' })
  lmsSuspendData?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 255,
    description: 'The origin of the LMS page that framed the bridge page, as the bridge page checked it: the learners of every dispatch of the customer in that LMS share one seat each (docs/dispatch.md "Seats").',
  })
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]{1,240}$/, { message: '$property must be an origin (scheme://host[:port]) of at most 255 characters, or null' })
  lmsOrigin?: string | null;
}
