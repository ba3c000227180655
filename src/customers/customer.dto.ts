import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { OptionalText, RequestErrorCode, Text } from '../common/validation';
import { CUSTOMER_STATES, CustomerState } from './customer.entity';

/** `POST /api/customers`: a client organisation. */
@RequestErrorCode('customer_invalid')
export class CreateCustomerBody {
  @ApiProperty({ maxLength: 200, example: 'Acme Training Ltd' })
  @Text(200)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: 'Who to talk to at the customer (name, e-mail, phone).' })
  @OptionalText(500)
  contact?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 5000 })
  @OptionalText(5000)
  notes?: string | null;

  @ApiPropertyOptional({ enum: CUSTOMER_STATES, default: 'active', description: 'A suspended customer’s LMSs launch nothing; its data is kept.' })
  @ValidateIf((_o, value) => value !== undefined) // left out: active (or unchanged); null is refused, not stored
  @IsIn(CUSTOMER_STATES, { message: `$property must be one of ${CUSTOMER_STATES.join(', ')}` })
  state?: CustomerState;
}

/** `PATCH /api/customers/:id`: the same fields, each optional; fields left out keep their value. */
@RequestErrorCode('customer_invalid')
export class UpdateCustomerBody extends PartialType(CreateCustomerBody, { skipNullProperties: false }) {}

/** `POST /api/customers/:id/registration-links`: single-use by default, optionally expiring. */
@RequestErrorCode('registration_link_invalid')
export class CreateRegistrationLinkBody {
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'After this instant the link registers nothing; leave out for no expiry.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '$property must be an ISO 8601 date-time such as 2027-01-31T12:00:00Z, or null' })
  expiresAt?: string | null;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 1000, default: 1, description: 'How many LMS registrations the link allows.' })
  @IsOptional()
  @IsInt({ message: '$property must be a whole number from 1 to 1000' })
  @Min(1, { message: '$property must be a whole number from 1 to 1000' })
  @Max(1000, { message: '$property must be a whole number from 1 to 1000' })
  maxUses?: number;
}
