import { ADMIN_PASSWORD, startTestApp, TestApp, TestResponse } from './support/test-app';

/**
 * The contract's error surface for the JSON POST routes: every failure, from whichever layer
 * (Fastify's body parser, the validation pipe, the router), is `{message, status, code}` with
 * nothing internal in it.
 */
describe('HTTP errors (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    // Per-IP throttling would turn the many bad requests below into 429s.
    api = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => api.close());

  const BODY_LIMIT = 16 * 1024;

  /** A stack frame ("at fn (file.ts:1:2)", "at /app/x.js:3:4") or a file position. */
  const STACK_FRAME = /\bat [^\s(]+ \(|\bat \/|\n\s+at |\.[jt]s:\d+(:\d+)?/;

  function expectNoInternals(response: TestResponse): void {
    const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    expect(text).not.toMatch(STACK_FRAME);
    expect(text).not.toMatch(/SQL/i);
    expect(text).not.toMatch(/QueryFailed/i);
    expect(text).not.toMatch(/stack|node_modules|TypeORM|fastify|FST_/i);
  }

  function expectError(response: TestResponse, status: number, code?: string): void {
    expect({ status: response.status, body: response.body }).toEqual({
      status,
      body: { message: expect.any(String), status, code: code ?? expect.any(String) },
    });
    expect(response.body.message.trim()).not.toBe('');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
    expectNoInternals(response);
  }

  const postRaw = (path: string, body: string, contentType = 'application/json', headers = {}) =>
    api.raw(path, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });

  const login = () => api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });

  interface Route {
    path: string;
    /** A body the route accepts, built fresh so a revoke cannot spoil a later refresh. */
    validBody(): Promise<Record<string, string>>;
    /** What that valid body answers, to show a media-type variant is really parsed. */
    validStatus: number;
    stringFields: string[];
  }

  const freshRefreshToken = async () => ((await login()).body as { refresh_token: string }).refresh_token;

  const ROUTES: Route[] = [
    {
      path: '/v1/login',
      validBody: () => Promise.resolve({ username: 'admin', password: ADMIN_PASSWORD }),
      validStatus: 200,
      stringFields: ['username', 'password'],
    },
    {
      path: '/v1/token-refresh',
      validBody: async () => ({ username: 'admin', refresh_token: await freshRefreshToken() }),
      validStatus: 200,
      stringFields: ['username', 'refresh_token'],
    },
    {
      path: '/v1/token-revoke',
      validBody: async () => ({ refresh_token: await freshRefreshToken() }),
      validStatus: 200,
      stringFields: ['refresh_token'],
    },
  ];

  describe.each(ROUTES)('POST $path', (route) => {
    it('accepts its valid body (the baseline every case below departs from)', async () => {
      const response = await api.post(route.path, await route.validBody());

      expect(response.status).toBe(route.validStatus);
    });

    it('accepts application/json with a charset parameter', async () => {
      const body = JSON.stringify(await route.validBody());
      const response = await postRaw(route.path, body, 'application/json; charset=utf-8');

      expect(response.status).toBe(route.validStatus);
      expect(response.body).not.toHaveProperty('code');
    });

    it.each([
      ['truncated JSON', '{"username": "admin",'],
      ['a single quote JSON', "{'username': 'admin'}"],
      ['trailing garbage', '{"username": "admin"} x'],
      ['bare words', 'username=admin'],
    ])('answers 400 to malformed JSON: %s', async (_name, body) => {
      expectError(await postRaw(route.path, body), 400, 'InvalidParameter');
    });

    it('answers 400 to an empty body sent as JSON', async () => {
      expectError(await postRaw(route.path, ''), 400, 'InvalidParameter');
    });

    it('answers 400 to a POST with no body and no content type', async () => {
      expectError(await api.raw(route.path, { method: 'POST' }), 400, 'InvalidParameter');
    });

    it.each([
      ['an array', '[]'],
      ['an array of the valid object', '[{"username":"admin","password":"x","refresh_token":"x"}]'],
      ['null', 'null'],
      ['a string', '"admin"'],
      ['a number', '42'],
      ['a boolean', 'true'],
    ])('answers 400 to %s as the top-level body', async (_name, body) => {
      expectError(await postRaw(route.path, body), 400, 'InvalidParameter');
    });

    it('answers 400 to an empty object, naming a missing field', async () => {
      const response = await api.post(route.path, {});

      expectError(response, 400, 'InvalidParameter');
      expect(route.stringFields.some((field) => response.body.message.includes(field))).toBe(true);
    });

    describe.each(route.stringFields)('field %s', (field) => {
      const withField = async (value: unknown) => ({ ...(await route.validBody()), [field]: value });

      it('answers 400 when it is missing, naming it', async () => {
        const rest: Record<string, string> = await route.validBody();
        delete rest[field];
        const response = await api.post(route.path, rest);

        expectError(response, 400, 'InvalidParameter');
        expect(response.body.message).toContain(field);
      });

      it.each([
        ['a number', 12345],
        ['a boolean', true],
        ['an object', { value: 'admin' }],
        ['an array', ['admin']],
        ['an empty array', []],
        ['null', null],
      ])('answers 400 when it is %s instead of a string, naming it', async (_name, value) => {
        const response = await api.post(route.path, await withField(value));

        expectError(response, 400, 'InvalidParameter');
        expect(response.body.message).toContain(field);
      });

      it('answers 400 when it is an empty string, naming it', async () => {
        const response = await api.post(route.path, await withField(''));

        expectError(response, 400, 'InvalidParameter');
        expect(response.body.message).toContain(field);
      });
    });

    it('answers 400 to an extra unknown field, naming it', async () => {
      const response = await api.post(route.path, { ...(await route.validBody()), is_admin: true });

      expectError(response, 400, 'InvalidParameter');
      expect(response.body.message).toContain('is_admin');
    });

    it('answers 400 to a documented field of another route', async () => {
      const response = await api.post(route.path, { ...(await route.validBody()), confirmation_code: '123456' });

      expectError(response, 400, 'InvalidParameter');
      expect(response.body.message).toContain('confirmation_code');
    });

    it.each([
      ['__proto__', '"__proto__": {"isAdmin": true}'],
      ['nested __proto__', '"meta": {"__proto__": {"isAdmin": true}}'],
      ['constructor.prototype', '"constructor": {"prototype": {"isAdmin": true}}'],
    ])('answers 400 to a %s poisoning body, and the app is unharmed', async (_name, member) => {
      const body = JSON.stringify(await route.validBody());
      const response = await postRaw(route.path, `${body.slice(0, -1)}, ${member}}`);

      expectError(response, 400, 'InvalidParameter');
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect((await api.post(route.path, await route.validBody())).status).toBe(route.validStatus);
    });

    describe.each([
      ['arrays', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
      ['objects', (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`],
    ])('nested %s', (_kind, nest) => {
      const withNested = async (field: string, depth: number) => {
        const body = JSON.stringify({ ...(await route.validBody()), [field]: 'PLACEHOLDER' });
        return postRaw(route.path, body.replace('"PLACEHOLDER"', nest(depth)));
      };

      it.each([2, 1500, 2500])('answers 400, not 500, to a field nested %d deep', async (depth) => {
        const response = await withNested(route.stringFields[0], depth);

        expectError(response, 400, 'InvalidParameter');
      });

      it('answers 400, not 500, to an unknown field nested 2500 deep', async () => {
        expectError(await withNested('extra', 2500), 400, 'InvalidParameter');
      });
    });

    it(`answers 413 to a body over the ${BODY_LIMIT / 1024} KiB limit`, async () => {
      const body = JSON.stringify({ ...(await route.validBody()), padding: 'x'.repeat(BODY_LIMIT) });
      const response = await postRaw(route.path, body);

      expectError(response, 413, 'PayloadTooLarge');
    });

    it('reads a body just under the limit (and refuses its content, not its size)', async () => {
      const base = JSON.stringify({ ...(await route.validBody()), padding: '' });
      const body = JSON.stringify({
        ...(await route.validBody()),
        padding: 'x'.repeat(BODY_LIMIT - Buffer.byteLength(base)),
      });
      expect(Buffer.byteLength(body)).toBe(BODY_LIMIT);

      const response = await postRaw(route.path, body);

      expectError(response, 400, 'InvalidParameter');
      expect(response.body.message).toContain('padding');
    });

    it.each([
      ['text/plain', (body: Record<string, string>) => JSON.stringify(body)],
      ['application/x-www-form-urlencoded', (body: Record<string, string>) => new URLSearchParams(body).toString()],
      ['multipart/form-data; boundary=x', () => '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
      ['application/xml', () => '<login><username>admin</username></login>'],
      ['application/jsonp', (body: Record<string, string>) => JSON.stringify(body)],
    ])('answers 415 to a %s body', async (contentType, encode) => {
      const response = await postRaw(route.path, encode(await route.validBody()), contentType);

      expectError(response, 415, 'UnsupportedMediaType');
    });
  });

  describe('the username length limit', () => {
    it.each([
      ['/v1/login', { password: 'whatever-password' }],
      ['/v1/token-refresh', { refresh_token: 'whatever-token' }],
    ])('%s answers 400 to a 129-character username, naming the field', async (path, rest) => {
      const response = await api.post(path, { username: 'u'.repeat(129), ...rest });

      expectError(response, 400, 'InvalidParameter');
      expect(response.body.message).toContain('username');
    });

    it.each([
      ['/v1/login', { password: 'whatever-password' }],
      ['/v1/token-refresh', { refresh_token: 'whatever-token' }],
    ])('%s reads a 128-character username as a name (401, not 400)', async (path, rest) => {
      const response = await api.post(path, { username: 'u'.repeat(128), ...rest });

      expectError(response, 401, 'NotAuthorized');
    });

    it('login answers 400 to a username far over the limit', async () => {
      const response = await api.post('/v1/login', { username: 'a'.repeat(5000), password: 'whatever-password' });

      expectError(response, 400, 'InvalidParameter');
    });
  });

  describe('unknown routes', () => {
    it.each([
      ['GET', '/v1/nothing-here'],
      ['GET', '/v2/login'],
      ['GET', '/'],
      ['POST', '/v1/nothing-here'],
      ['POST', '/v1/login/extra'],
      ['DELETE', '/v1/me'],
    ])('%s %s answers 404 in the contract shape', async (method, path) => {
      const init: RequestInit =
        method === 'POST'
          ? { method, headers: { 'content-type': 'application/json' }, body: '{"username":"admin"}' }
          : { method };
      const response = await api.raw(path, init);

      expectError(response, 404, 'NotFound');
    });

    it('GET on a POST route answers 404, not the route', async () => {
      expectError(await api.get('/v1/login'), 404, 'NotFound');
    });
  });

  describe("paths Fastify's router refuses before any route runs", () => {
    it('answers 400 in the contract shape to a path part that is not valid percent-encoding', async () => {
      const response = await api.raw('/v1/sessions/%zz', { method: 'DELETE' });

      expectError(response, 400, 'InvalidParameter');
      expect(response.body.message).toBe('The URL is not valid.');
    });

    it('answers 414 in the contract shape to a path part over 2048 characters', async () => {
      const response = await api.raw(`/v1/sessions/${'x'.repeat(2049)}`, { method: 'DELETE' });

      expectError(response, 414, 'InvalidParameter');
      expect(response.body.message).toBe('The URL is too long.');
    });
  });

  describe('X-Request-Id', () => {
    it.each([
      ['a success', () => login()],
      ['a validation error', () => api.post('/v1/login', {})],
      ['malformed JSON', () => postRaw('/v1/login', '{')],
      ['an unsupported media type', () => postRaw('/v1/login', 'x', 'text/plain')],
      ['a body over the limit', () => postRaw('/v1/login', JSON.stringify({ p: 'x'.repeat(BODY_LIMIT) }))],
      ['an unknown route', () => api.get('/v1/nothing-here')],
      ['a refused access token', () => api.get('/v1/me')],
    ])('is set on %s', async (_name, send) => {
      const response = await send();

      expect(response.headers.get('x-request-id')).toMatch(/^[\w.:-]{8,64}$/);
    });

    it('is different for every request that does not bring one', async () => {
      const ids = await Promise.all([1, 2, 3].map(async () => (await api.get('/health')).headers.get('x-request-id')));

      expect(new Set(ids).size).toBe(3);
    });

    it.each([
      ['a UUID', 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d'],
      ['a dotted trace id', 'gateway.trace:42_abc-7'],
      ['a 64-character id', 'r'.repeat(64)],
    ])("echoes the caller's id when it is %s", async (_name, id) => {
      const responses = [
        await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD }, { 'x-request-id': id }),
        await api.post('/v1/login', {}, { 'x-request-id': id }),
        await api.get('/v1/nothing-here', { 'x-request-id': id }),
        await api.get('/health', { 'x-request-id': id }),
      ];

      expect(responses.map((response) => response.headers.get('x-request-id'))).toEqual([id, id, id, id]);
    });

    it.each([
      ['with spaces', 'not a valid id'],
      ['too long', 'r'.repeat(65)],
      ['with markup', '<script>alert(1)</script>'],
      ['with a CR/LF-looking payload', 'abc%0d%0aSet-Cookie:x'],
    ])("replaces a caller's id %s with its own", async (_name, id) => {
      const response = await api.get('/health', { 'x-request-id': id });
      const replacement = response.headers.get('x-request-id');

      expect(replacement).not.toBe(id);
      expect(replacement).toMatch(/^[\w.:-]{8,64}$/);
    });
  });

  it('never leaks internals in any error body of this suite', async () => {
    const responses = await Promise.all([
      postRaw('/v1/login', '{"username": '),
      postRaw('/v1/token-refresh', '\u0000\u0001'),
      postRaw('/v1/token-revoke', '{"refresh_token": "\'; DROP TABLE users; --"}'),
      api.post('/v1/token-refresh', { username: "admin' OR '1'='1", refresh_token: "x' OR '1'='1" }),
      api.post('/v1/login', { username: "admin'--", password: "' OR 1=1 --" }),
      api.post('/v1/token-revoke', { refresh_token: `${'0'.repeat(36)}.${'A'.repeat(43)}` }),
      api.get('/v1/me', { authorization: "Bearer ' OR 1=1 --" }),
    ]);

    for (const response of responses) {
      expect(response.status).not.toBe(500);
      if (response.status >= 400) expectError(response, response.status);
    }
  });
});
