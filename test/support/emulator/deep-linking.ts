import type * as http from 'node:http';
import { jwtVerify } from 'jose';
import type { PlatformEmulator } from '../platform-emulator';
import { LTI, type DeepLinkReturn } from './types';

/**
 * The platform's Deep Linking return endpoint: the tool posts its signed LtiDeepLinkingResponse here;
 * each one is checked and recorded in `emu.deepLinkReturns` for the test to read.
 */

/** Checks a Deep Linking response like a platform does (Sec §5.2.3, DL §4.5, Cert §6.2). */
export async function deepLinkReturn(emu: PlatformEmulator, q: URLSearchParams, res: http.ServerResponse): Promise<void> {
  const token = q.get('JWT') ?? '';
  const record: DeepLinkReturn = { ok: false };
  try {
    if (!emu.toolJwks) {
      throw new Error('tool JWKS unknown');
    }
    const { payload, protectedHeader } = await jwtVerify(token, emu.toolJwks.set, {
      algorithms: ['RS256'],
      audience: emu.issuer,
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'nonce'],
    });
    record.header = protectedHeader;
    record.payload = payload;
    if (!emu.clients.has(String(payload.iss))) {
      throw new Error('iss is not a client_id of this platform');
    }
    if (payload[`${LTI}message_type`] !== 'LtiDeepLinkingResponse' || payload[`${LTI}version`] !== '1.3.0') {
      throw new Error('message_type / version');
    }
    if (payload[`${LTI}deployment_id`] !== emu.clients.get(String(payload.iss))?.deploymentId) {
      throw new Error('deployment_id');
    }
    record.ok = true;
  } catch (e) {
    record.error = (e as Error).message;
  }
  emu.deepLinkReturns.push(record);
  res.writeHead(record.ok ? 200 : 400, { 'Content-Type': 'text/html' });
  res.end(record.ok ? '<p>Items received.</p>' : `<p>Refused: ${record.error ?? ''}</p>`);
}
