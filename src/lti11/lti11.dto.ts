import { ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalText, RequestErrorCode } from '../common/validation';

/** `POST /api/customers/:id/lti11-credentials`: a new consumer key and secret (the secret is in that answer only). */
@RequestErrorCode('lti11_credential_invalid')
export class CreateLti11CredentialBody {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, example: 'Blackboard Learn (main campus)', description: 'Which LMS uses this key (shown in the console and as the name of its platform row).' })
  @OptionalText(200)
  label?: string | null;
}
