import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SecretsService } from '../secrets/secrets.service';

const TOKEN = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

/**
 * The signed dispatch id a package carries: `<id>.<HMAC-SHA256(id)>` under a server secret kept in
 * the database (all instances agree). It is an identifier, not a credential with a lifetime: anyone
 * holding the package can open the course (as anyone holding an LMS's course link can ask that LMS),
 * which is why it is tied to one customer's licence and can be revoked on its own. The signature
 * lets the content origin refuse made-up ids before any query.
 */
@Injectable()
export class DispatchTokens {
  constructor(private readonly secrets: SecretsService) {}

  async sign(id: string): Promise<string> {
    return `${id}.${await this.mac(id)}`;
  }

  /** The dispatch id of a well-formed, correctly signed token; else null. */
  async verify(token: string): Promise<string | null> {
    const m = TOKEN.exec(token);
    if (!m) {
      return null;
    }
    const expected = Buffer.from(await this.mac(m[1]));
    const given = Buffer.from(m[2]);
    return expected.length === given.length && timingSafeEqual(expected, given) ? m[1] : null;
  }

  private async mac(id: string): Promise<string> {
    return createHmac('sha256', await this.secrets.get('dispatch-token')).update(id).digest('base64url');
  }
}
