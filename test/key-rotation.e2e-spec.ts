import { createPublicKey, generateKeyPairSync, JsonWebKey, randomBytes } from 'node:crypto';
import { decode, JwtPayload, sign, verify } from 'jsonwebtoken';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const headerOf = (token: string) => decode(token, { complete: true })!.header;
const secret = () => randomBytes(32).toString('hex');
const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privatePem = (key: ReturnType<typeof ecKey>) =>
  key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = (key: ReturnType<typeof ecKey>) => key.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Tokens other services verify: kid on every token, the JWKS, and key rotation without logout. */
describe('signing keys: kid, JWKS and rotation (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp | undefined;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    await db.drop();
  });

  /** One instance at a time on the same database, as a rolling restart with new keys runs. */
  async function restartWith(env: Record<string, string>): Promise<TestApp> {
    await api?.close();
    api = await startTestApp(env, db);
    return api;
  }

  async function login(app: TestApp): Promise<{ access_token: string; id_token: string }> {
    const response = await app.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(response.status).toBe(200);
    return response.body;
  }

  const meStatus = async (app: TestApp, token: string) => (await app.get('/v1/me', bearer(token))).status;

  it('publishes no key for an HS256 secret, and says the set may be cached', async () => {
    const app = await restartWith({ JWT_SECRET: secret() });
    const response = await app.get('/.well-known/jwks.json');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ keys: [] });
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const { access_token, id_token } = await login(app);
    expect(headerOf(access_token).kid).toEqual(expect.any(String));
    expect(headerOf(id_token).kid).toBe(headerOf(access_token).kid);
  });

  it("publishes an asymmetric key's public JWK under the kid its tokens carry, and a verifier can check them with it", async () => {
    const app = await restartWith({ JWT_PRIVATE_KEY: privatePem(ecKey()) });
    const { keys } = (await app.get('/.well-known/jwks.json')).body as { keys: (JsonWebKey & { kid: string })[] };
    const { access_token } = await login(app);

    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(keys[0]).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
      kid: headerOf(access_token).kid,
    });
    // What a resource server does: pick the JWK by kid, verify with its algorithm.
    const key = createPublicKey({ key: keys[0], format: 'jwk' });
    const claims = verify(access_token, key, { algorithms: ['ES256'] }) as JwtPayload;
    expect(claims).toMatchObject({ token_use: 'access', username: 'admin' });
  });

  it('keeps tokens of a previous secret working after a rotation, until that secret is removed', async () => {
    const [oldSecret, newSecret] = [secret(), secret()];
    const before = await login(await restartWith({ JWT_SECRET: oldSecret }));

    const rotated = await restartWith({ JWT_SECRET: newSecret, JWT_PREVIOUS_SECRETS: oldSecret });
    expect(await meStatus(rotated, before.access_token)).toBe(200);
    const after = await login(rotated);
    expect(headerOf(after.access_token).kid).not.toBe(headerOf(before.access_token).kid);

    const done = await restartWith({ JWT_SECRET: newSecret });
    expect(await meStatus(done, before.access_token)).toBe(401);
    expect(await meStatus(done, after.access_token)).toBe(200);
  });

  it('keeps tokens of a previous key working and published after a rotation, until it is removed', async () => {
    const [oldKey, newKey] = [ecKey(), ecKey()];
    const before = await login(await restartWith({ JWT_PRIVATE_KEY: privatePem(oldKey) }));
    const oldKid = headerOf(before.access_token).kid;

    const rotated = await restartWith({ JWT_PRIVATE_KEY: privatePem(newKey), JWT_PREVIOUS_KEYS: publicPem(oldKey) });
    expect(await meStatus(rotated, before.access_token)).toBe(200);
    const kids = ((await rotated.get('/.well-known/jwks.json')).body.keys as { kid: string }[]).map((k) => k.kid);
    const newKid = headerOf((await login(rotated)).access_token).kid;
    expect(kids).toEqual([newKid, oldKid]);

    const done = await restartWith({ JWT_PRIVATE_KEY: privatePem(newKey) });
    expect(await meStatus(done, before.access_token)).toBe(401);
    expect(((await done.get('/.well-known/jwks.json')).body.keys as { kid: string }[]).map((k) => k.kid)).toEqual([
      newKid,
    ]);
  });

  it('refuses, on a guarded route, a token signed with our secret that names an unknown kid or brings its own key', async () => {
    const key = secret();
    const app = await restartWith({ JWT_SECRET: key });
    const { access_token } = await login(app);
    const claims = decode(access_token) as JwtPayload;
    const resigned = (header: Record<string, unknown>) =>
      sign(claims, key, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt', ...header } });

    expect(await meStatus(app, resigned({ kid: headerOf(access_token).kid }))).toBe(200);
    for (const header of [
      { kid: 'unknown-kid' },
      { kid: headerOf(access_token).kid, jwk: { kty: 'oct', k: Buffer.from(key).toString('base64url') } },
      { kid: headerOf(access_token).kid, jku: 'https://attacker.example/jwks.json' },
      { kid: headerOf(access_token).kid, x5u: 'https://attacker.example/cert.pem' },
    ]) {
      expect(await meStatus(app, resigned(header))).toBe(401);
    }
  });
});
