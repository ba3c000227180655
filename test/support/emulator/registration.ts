import type * as http from 'node:http';
import type { PlatformEmulator } from '../platform-emulator';
import { json } from './http';

/**
 * LTI Dynamic Registration on the platform side: the discovery document and the registration
 * endpoint, both behind the registration token the tool was given (`emu.registrationToken`). A
 * registered tool becomes a new client with its own deployment.
 */

function bearerOk(emu: PlatformEmulator, req: http.IncomingMessage): boolean {
  return emu.registrationToken === null || req.headers.authorization === `Bearer ${emu.registrationToken}`;
}

/** DR §3.4 discovery document. */
export function openidConfiguration(emu: PlatformEmulator, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (!bearerOk(emu, req)) {
    return json(res, 401, { error: 'invalid_token' });
  }
  json(res, 200, {
    issuer: emu.issuer,
    authorization_endpoint: emu.authorizationEndpoint,
    token_endpoint: emu.tokenEndpoint,
    jwks_uri: emu.jwksUri,
    registration_endpoint: `${emu.url}/register`,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['id_token'],
    scopes_supported: ['openid'],
    'https://purl.imsglobal.org/spec/lti-platform-configuration': {
      product_family_code: emu.productFamilyCode,
      version: '1.0',
      messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }],
    },
  });
}

/** DR §3.5.2–3.6: stores the tool as a new client with its own deployment. */
export function register(emu: PlatformEmulator, req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
  if (!bearerOk(emu, req)) {
    return json(res, 401, { error: 'invalid_token' });
  }
  let reg: Record<string, unknown>;
  try {
    reg = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return json(res, 400, { error: 'invalid_client_metadata' });
  }
  const redirectUris = reg.redirect_uris;
  if (
    !Array.isArray(redirectUris) ||
    !redirectUris.length ||
    typeof reg.jwks_uri !== 'string' ||
    typeof reg.initiate_login_uri !== 'string' ||
    reg.token_endpoint_auth_method !== 'private_key_jwt'
  ) {
    return json(res, 400, { error: 'invalid_client_metadata' });
  }
  const n = emu.registrations.length + 1;
  const clientId = `dyn-client-${n}`;
  const deploymentId = `dyn-deployment-${n}`;
  const requested = String(reg.scope ?? '')
    .split(/\s+/)
    .filter(Boolean);
  const granted = emu.grantScopes ? requested.filter((s) => emu.grantScopes?.includes(s)) : requested;
  emu.clients.set(clientId, { clientId, deploymentId, redirectUris: redirectUris as string[], scopes: granted });
  emu.registrations.push({ request: reg, clientId, deploymentId });
  const toolCfg = { ...((reg['https://purl.imsglobal.org/spec/lti-tool-configuration'] ?? {}) as Record<string, unknown>) };
  if (!emu.grantDeepLinking && Array.isArray(toolCfg.messages)) {
    toolCfg.messages = (toolCfg.messages as Array<{ type?: string }>).filter((m) => m.type !== 'LtiDeepLinkingRequest');
  }
  json(res, 200, {
    ...reg,
    client_id: clientId,
    scope: granted.join(' '),
    'https://purl.imsglobal.org/spec/lti-tool-configuration': { ...toolCfg, deployment_id: deploymentId },
  });
}
