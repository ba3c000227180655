import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { FieldErrorCode } from '../common/validation';
import { FormatQuery } from '../common/csv';

const SAY_WHICH = 'Say which course: GET /api/attempts?courseId=<course id>';

/** `GET /api/attempts?courseId=[&customerId=][&previews=false][&format=csv]`: the attempts of one course. */
export class AttemptsQuery extends FormatQuery {
  @ApiProperty({ description: 'The course whose attempts are listed.' })
  @FieldErrorCode('course_id_required')
  @IsString({ message: SAY_WHICH })
  @IsNotEmpty({ message: SAY_WHICH })
  courseId: string;

  @ApiPropertyOptional({ description: "Only the attempts made from the LMSs of this customer (console previews are no customer's)." })
  @IsOptional()
  @IsString({ message: 'customerId must be the id of a customer' })
  @IsNotEmpty({ message: 'customerId must be the id of a customer' })
  customerId?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'false leaves preview (instructor and console) attempts out; they are listed by default.' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'previews must be true or false' })
  previews?: 'true' | 'false';
}
