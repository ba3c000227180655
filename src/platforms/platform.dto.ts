import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsOptional, IsString, Matches, MaxLength, ValidateBy } from 'class-validator';
import { IsHttpUrl, OptionalText, RequestErrorCode, Text, trimValue } from '../common/validation';
import { canonicalIssuer, ISSUER_RULE } from './issuer';

const DEPLOYMENT_IDS = '$property must be a list of non-empty ASCII strings of at most 255 characters (LTI Core §5.3.3)';

/** The issuer rule of src/platforms/issuer.ts, with its problem in words. */
function IsIssuer(): PropertyDecorator {
  return ValidateBy({
    name: 'isIssuer',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && 'issuer' in canonicalIssuer(value),
      defaultMessage: (args) => {
        const c = typeof args?.value === 'string' ? canonicalIssuer(args.value) : { problem: 'is not a string' };
        return `$property ${'problem' in c ? c.problem : 'is not valid'}: it must be ${ISSUER_RULE}`;
      },
    },
  });
}

/** `POST /api/platforms` (and what Dynamic Registration stores): one LMS registration. */
@RequestErrorCode('platform_invalid')
export class CreatePlatformBody {
  @ApiProperty({ maxLength: 200, example: 'Moodle (lms.example.edu)' })
  @Text(200)
  name: string;

  @ApiProperty({
    format: 'uri',
    maxLength: 500,
    description: `The LMS issuer (\`iss\` of its id tokens): ${ISSUER_RULE}. Stored in canonical form: lower-case scheme and host, no default port, no trailing slash.`,
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && 'issuer' in canonicalIssuer(value) ? (canonicalIssuer(value) as { issuer: string }).issuer : value))
  @Text(500)
  @IsIssuer()
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
