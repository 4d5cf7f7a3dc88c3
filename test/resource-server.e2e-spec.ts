import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

const CLIENT_SECRET = randomBytes(24).toString('base64url');

/**
 * Another company service verifying our tokens the way the README shows: jose against the
 * running service's discovery document and JWKS, offline, and introspection for revocation.
 */
describe('a resource server verifying our tokens (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    api = await startTestApp({
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      JWT_ISSUER: 'https://auth.example.com',
      JWT_AUDIENCE: 'orders-api',
      INTROSPECTION_CLIENTS: `orders:${CLIENT_SECRET}`,
    });
  });
  afterAll(() => api.close());

  const login = async () =>
    (await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD })).body as {
      access_token: string;
      refresh_token: string;
    };

  it('finds the keys and introspection through the discovery document', async () => {
    const response = await api.get('/.well-known/openid-configuration');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.body).toEqual({
      issuer: 'https://auth.example.com',
      jwks_uri: `${api.url}/.well-known/jwks.json`,
      introspection_endpoint: `${api.url}/v1/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('verifies an access token with jose against the JWKS, and refuses one from elsewhere', async () => {
    const { jwks_uri, issuer } = (await api.get('/.well-known/openid-configuration')).body as Record<string, string>;
    const jwks = createRemoteJWKSet(new URL(jwks_uri));
    const { access_token } = await login();

    const { payload, protectedHeader } = await jwtVerify(access_token, jwks, {
      issuer,
      audience: 'orders-api',
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(payload).toMatchObject({ token_use: 'access', username: 'admin', roles: ['admin'] });
    expect(protectedHeader.kid).toEqual(expect.any(String));

    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const [header, body] = access_token.split('.');
    const signature = sign('sha256', Buffer.from(`${header}.${body}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const forged = `${header}.${body}.${signature.toString('base64url')}`;
    await expect(jwtVerify(forged, jwks, { issuer, audience: 'orders-api' })).rejects.toThrow();
  });

  it('sees a revocation through introspection, which offline verification cannot', async () => {
    const { jwks_uri, issuer, introspection_endpoint } = (await api.get('/.well-known/openid-configuration'))
      .body as Record<string, string>;
    const { access_token, refresh_token } = await login();
    await api.post('/v1/token-revoke', { refresh_token });

    // Offline: still valid until exp (the README's caveat).
    await expect(jwtVerify(access_token, createRemoteJWKSet(new URL(jwks_uri)), { issuer })).resolves.toBeDefined();
    const introspected = await fetch(introspection_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`orders:${CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: access_token }),
    });
    expect(await introspected.json()).toEqual({ active: false });
  });
});
