import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { FieldErrorCode } from '../common/validation';

const SAY_WHICH = 'Say which course: GET /api/attempts?courseId=<course id>';

/** `GET /api/attempts?courseId=`: the attempts of one course. */
export class AttemptsQuery {
  @ApiProperty({ description: 'The course whose attempts are listed.' })
  @FieldErrorCode('course_id_required')
  @IsString({ message: SAY_WHICH })
  @IsNotEmpty({ message: SAY_WHICH })
  courseId: string;
}
