import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Max, Min, ValidateIf } from 'class-validator';
import { FormatQuery } from '../common/csv';
import { OptionalText, RequestErrorCode } from '../common/validation';
import { LICENCE_STATES, LicenceState } from './licence.entity';

const ID_MESSAGE = '$property must be the id of an existing';
const DATE_MESSAGE = '$property must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z, or null';
const SEATS_MESSAGE = '$property must be a whole number from 1 to 1000000, or null for no limit';

/** `POST /api/licences`: a customer may use a course (or every course), with optional seats and dates. */
@RequestErrorCode('licence_invalid')
export class CreateLicenceBody {
  @ApiProperty({ description: 'The customer (client organisation) the licence is for.' })
  @IsString({ message: `${ID_MESSAGE} customer` })
  @IsNotEmpty({ message: `${ID_MESSAGE} customer` })
  customerId: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The course granted; null or left out: every course of the catalogue.' })
  @IsOptional()
  @IsString({ message: `${ID_MESSAGE} course, or null for every course` })
  @IsNotEmpty({ message: `${ID_MESSAGE} course, or null for every course` })
  courseId?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 1000000, description: 'Distinct learners who may hold a seat; null or left out: no limit.' })
  @IsOptional()
  @IsInt({ message: SEATS_MESSAGE })
  @Min(1, { message: SEATS_MESSAGE })
  @Max(1000000, { message: SEATS_MESSAGE })
  seatLimit?: number | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'From this instant on (inclusive); null: from now.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE })
  startsAt?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Until this instant (exclusive); null: no end. Must be after startsAt.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE })
  endsAt?: string | null;

  @ApiPropertyOptional({ enum: LICENCE_STATES, default: 'active', description: 'suspended and revoked licences let nobody in; seats and data are kept.' })
  @ValidateIf((_o, value) => value !== undefined) // left out: active (or unchanged); null is refused
  @IsIn(LICENCE_STATES, { message: `$property must be one of ${LICENCE_STATES.join(', ')}` })
  state?: LicenceState;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 5000 })
  @OptionalText(5000)
  notes?: string | null;
}

/** `PATCH /api/licences/:id`: any field but the customer; fields left out keep their value. */
@RequestErrorCode('licence_invalid')
export class UpdateLicenceBody extends PartialType(OmitType(CreateLicenceBody, ['customerId'] as const), { skipNullProperties: false }) {}

/** `GET /api/licences?customerId=&courseId=[&format=csv]`. */
export class LicenceQuery extends FormatQuery {
  @ApiPropertyOptional({ description: 'Only this customer’s licences.' })
  @IsOptional()
  @IsString()
  customerId?: string;

  @ApiPropertyOptional({ description: 'Only the licences covering this course (its own and the every-course ones).' })
  @IsOptional()
  @IsString()
  courseId?: string;
}
