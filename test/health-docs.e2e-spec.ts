import { startTestApp, TestApp } from './support/test-app';

describe('health and API docs (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api.close());

  describe.each(['/health', '/health/ready'])('GET %s', (path) => {
    it('answers 200 with the database reported up, for no cache to keep', async () => {
      const response = await api.get(path);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control')).toMatch(/no-store/);
      expect(response.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    });

    it('needs no access token, and a bad one does not get in its way', async () => {
      const response = await api.get(path, { authorization: 'Bearer not-a-token' });

      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
    });
  });

  describe('GET /health/live', () => {
    it('answers 200 with a bare status, needing no access token, for no cache to keep', async () => {
      const response = await api.get('/health/live', { authorization: 'Bearer not-a-token' });

      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toMatch(/no-store/);
      expect(response.body).toEqual({ status: 'ok' });
    });
  });

  describe('GET /docs', () => {
    it('serves the Swagger UI page', async () => {
      const response = await api.raw('/docs', { redirect: 'manual' });

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.body).toEqual(expect.stringContaining('<title>Authentication API</title>'));
      expect(response.body).toMatch(/swagger-ui-bundle\.js/);
    });

    it('serves every script and stylesheet the page loads', async () => {
      const page = (await api.get('/docs')).body as string;
      const assets = [...page.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((match) => match[1]);
      expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/)]));
      expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui\.css$/)]));

      for (const asset of assets) {
        const path = new URL(asset, `${api.url}/docs`).pathname;
        const response = await api.raw(path, { method: 'GET' });

        expect({ path, status: response.status }).toEqual({ path, status: 200 });
        expect(response.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /text\/css/ : /javascript/);
      }
    });
  });

  describe('GET /docs-json', () => {
    let document: any;

    beforeAll(async () => {
      const response = await api.get('/docs-json');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      document = response.body;
    });

    it('is an OpenAPI 3 document', () => {
      expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    });

    it.each([
      ['/v1/login', 'post'],
      ['/v1/token-refresh', 'post'],
      ['/v1/token-revoke', 'post'],
      ['/v1/me', 'get'],
      ['/health', 'get'],
      ['/health/ready', 'get'],
      ['/health/live', 'get'],
    ])('documents %s (%s)', (path, method) => {
      expect(document.paths).toHaveProperty([path, method]);
      expect(document.paths[path][method].responses).toHaveProperty('200');
    });

    it.each([
      ['/v1/login', 'LoginDto'],
      ['/v1/token-refresh', 'RefreshTokenDto'],
      ['/v1/token-revoke', 'RevokeTokenDto'],
    ])('%s takes a required JSON body described by %s', (path, schema) => {
      expect(document.paths[path].post.requestBody).toMatchObject({
        required: true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
      });
    });

    it("gives LoginDto the seed document's example values", () => {
      const login = document.components.schemas.LoginDto;

      expect(login.properties.username).toMatchObject({ type: 'string', example: 'admin' });
      expect(login.properties.password).toMatchObject({ type: 'string', example: 'j8BDWYrQwDF5u4Yu' });
      expect(login.required).toEqual(expect.arrayContaining(['username', 'password']));
    });

    it("gives the refresh and revoke bodies the seed document's example values", () => {
      const { RefreshTokenDto, RevokeTokenDto } = document.components.schemas;

      expect(RefreshTokenDto.properties.username.example).toBe('admin');
      expect(RefreshTokenDto.properties.refresh_token.example).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9');
      expect(RevokeTokenDto.properties.refresh_token.example).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9');
    });

    it('declares bearer security on /v1/me, with a bearer scheme behind the name', () => {
      const security: Record<string, string[]>[] = document.paths['/v1/me'].get.security;
      expect(security).toEqual(expect.arrayContaining([expect.any(Object)]));
      const names = security.flatMap((requirement) => Object.keys(requirement));

      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect(document.components.securitySchemes[name]).toMatchObject({ type: 'http', scheme: 'bearer' });
      }
      expect(document.paths['/v1/me'].get.responses).toHaveProperty('401');
    });

    it.each(['/v1/login', '/v1/token-refresh', '/v1/token-revoke'])('does not ask for a token on %s', (path) => {
      expect(document.paths[path].post.security ?? []).toEqual([]);
    });

    it('documents the error responses in the contract shape', () => {
      expect(document.paths['/v1/login'].post.responses).toHaveProperty('400');
      expect(document.paths['/v1/login'].post.responses).toHaveProperty('401');
      const ref = document.paths['/v1/login'].post.responses['401'].content['application/json'].schema.$ref;
      const schema = document.components.schemas[ref.replace('#/components/schemas/', '')];

      expect(schema.properties).toMatchObject({ message: { type: 'string' }, status: { type: 'integer' } });
      expect(schema.required).toEqual(expect.arrayContaining(['message', 'status']));
    });
  });
});
