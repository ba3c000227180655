import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsHttpUrl, OptionalText, RequestErrorCode, Text, trimValue } from '../common/validation';

const DEPLOYMENT_IDS = '$property must be a list of non-empty ASCII strings of at most 255 characters (LTI Core §5.3.3)';

/** `POST /api/platforms` (and what Dynamic Registration stores): one LMS registration. */
@RequestErrorCode('platform_invalid')
export class CreatePlatformBody {
  @ApiProperty({ maxLength: 200, example: 'Moodle (lms.example.edu)' })
  @Text(200)
  name: string;

  @ApiProperty({ format: 'uri', maxLength: 500, description: 'The LMS issuer (`iss` of its id tokens).' })
  @Text(500)
  issuer: string;

  @ApiProperty({ maxLength: 255, description: 'The client id the LMS gave this tool.' })
  @Text(255)
  clientId: string;

  @ApiProperty({ format: 'uri', description: 'OIDC authorization endpoint of the LMS.' })
  @Transform(trimValue)
  @IsHttpUrl()
  authorizationEndpoint: string;

  @ApiProperty({ format: 'uri', description: 'OAuth 2 token endpoint (AGS tokens).' })
  @Transform(trimValue)
  @IsHttpUrl()
  tokenEndpoint: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000, description: 'The audience the token endpoint expects, when it is not the endpoint URL.' })
  @OptionalText(1000)
  tokenAudience?: string | null;

  @ApiProperty({ format: 'uri', description: 'Where the LMS publishes its public keys.' })
  @Transform(trimValue)
  @IsHttpUrl()
  jwksUri: string;

  @ApiPropertyOptional({ type: [String], description: 'Deployment ids of this tool in the LMS; a launch from another is refused.', default: [] })
  @IsOptional()
  @IsArray({ message: DEPLOYMENT_IDS })
  @Matches(/^[\x20-\x7e]{1,255}$/, { each: true, message: DEPLOYMENT_IDS })
  deploymentIds?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The customer this LMS belongs to (`/api/customers`); null leaves it unassigned.' })
  @IsOptional()
  @IsString({ message: '$property must be the id of a customer, or null' })
  @MaxLength(36, { message: '$property must be the id of a customer, or null' })
  customerId?: string | null;
}

/** `PATCH /api/platforms/:id`: the same fields, each optional; fields left out keep their value. */
@RequestErrorCode('platform_invalid')
export class UpdatePlatformBody extends PartialType(CreatePlatformBody, { skipNullProperties: false }) {}
