import OAuth from 'oauth-1.0a';
import { createHash, createHmac } from 'node:crypto';
import { baseStringUri, consumerKeySign, signedBodyAuthorization, verifyHmacSha1 } from './oauth1';

/** oauth-1.0a (another library than the one under test) signs; our verification must agree with it. */
function signWithOtherLibrary(url: string, data: Record<string, string>, secret: string): Record<string, string> {
  const oauth = new OAuth({ consumer: { key: data.oauth_consumer_key, secret }, signature_method: 'HMAC-SHA1', hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64') });
  const { oauth_consumer_key: _k, ...rest } = data;
  // authorize() merges the form and query parameters into the objects it is given and answers: keep only its oauth_ fields
  const signed = Object.entries(oauth.authorize({ url, method: 'POST', data: { ...rest } })).filter(([k]) => k.startsWith('oauth_'));
  return { ...rest, ...Object.fromEntries(signed.map(([k, v]) => [k, String(v)])) };
}

describe('OAuth 1.0a for LTI 1.1', () => {
  it('should reproduce the worked example of the LTI 1.3 migration guide (oauth_consumer_key_sign)', () => {
    expect(
      consumerKeySign({ consumerKey: '179248902', deploymentId: '689302', issuer: 'https://lmsvendor.com', clientId: 'PM48OJSfGDTAzAo', exp: 1551290856, nonce: '172we8671fd8z' }, 'my-lti11-secret'),
    ).toBe('lWd54kFo5qU7xshAna6v8BwoBm6tmUjc6GTax6+12ps=');
  });

  it('should verify a launch signed by oauth-1.0a, with unicode, spaces, reserved characters and a query string', () => {
    const url = 'http://tool.example/lti/1p1/courses/c%201?extra=a%20b&x=%F0%9F%98%80';
    const data = { oauth_consumer_key: 'key-1', lti_message_type: 'basic-lti-launch-request', resource_link_id: 'rl 1', lis_person_name_full: 'Zoë O’Brien & co!*()', custom_x: '' };
    const params = signWithOtherLibrary(url, data, 's3cret&=');
    expect(verifyHmacSha1('POST', url, params, 's3cret&=')).toBe(true);
    expect(verifyHmacSha1('POST', url, params, 'other')).toBe(false);
    expect(verifyHmacSha1('POST', url, { ...params, resource_link_id: 'rl 2' }, 's3cret&=')).toBe(false);
    expect(verifyHmacSha1('POST', url.replace('extra=a%20b', 'extra=a'), params, 's3cret&=')).toBe(false);
    expect(verifyHmacSha1('POST', url, { ...params, oauth_signature: [params.oauth_signature, 'x'] }, 's3cret&=')).toBe(false);
  });

  it('should normalise the base string URI (RFC 5849 §3.4.1.2)', () => {
    expect(baseStringUri('HTTPS://Bridge.Example.EDU:443/lti/1p1/launch?a=1#f')).toBe('https://bridge.example.edu/lti/1p1/launch');
    expect(baseStringUri('http://localhost:3000/lti/1p1/launch')).toBe('http://localhost:3000/lti/1p1/launch');
  });

  it('should sign an outcome body with a body hash that oauth-1.0a checks the same way', () => {
    const url = 'https://lms.example/outcomes?tool=7';
    const body = '<?xml version="1.0" encoding="UTF-8"?><x>é</x>';
    const header = signedBodyAuthorization({ url, body, consumerKey: 'key-1', secret: 'sec', nonce: 'n1', timestamp: 1700000000 });
    const fields = Object.fromEntries([...header.slice('OAuth '.length).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], decodeURIComponent(m[2])]));
    expect(fields.oauth_body_hash).toBe(createHash('sha1').update(body).digest('base64'));
    const oauth = new OAuth({ consumer: { key: 'key-1', secret: 'sec' }, signature_method: 'HMAC-SHA1', hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64') });
    const { oauth_signature, ...signed } = fields;
    expect(oauth.getSignature({ url, method: 'POST', data: {} }, '', signed as unknown as OAuth.Data)).toBe(oauth_signature);
  });
});
