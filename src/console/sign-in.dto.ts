import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

/** `POST /console/session`: the admin token, exchanged for the console's session cookie. */
export class SignInBody {
  @ApiProperty({ description: 'ADMIN_TOKEN, or the token printed in the server log at first start.' })
  @IsString({ message: '$property must be the admin token, as a string' })
  token: string;
}
