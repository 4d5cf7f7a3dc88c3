import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

describe('transport hygiene and request limits (e2e)', () => {
  describe('with defaults', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp();
    });
    afterAll(() => api.close());

    it('sends security headers and no-store on token responses', async () => {
      const response = await api.post('/v1/login', { username: 'admin', password: ADMIN_PASSWORD });

      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
    });

    it('keeps CORS closed unless origins are configured', async () => {
      const preflight = await api.raw('/v1/login', {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      const post = await api.post('/v1/login', { username: 'x', password: 'y' }, { origin: 'https://evil.example' });

      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('with CORS origins and a per-IP limit configured', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ CORS_ORIGINS: 'https://app.example', RATE_LIMIT_PER_MINUTE: '3' });
    });
    afterAll(() => api.close());

    it('allows the configured origin only', async () => {
      const allowed = await api.raw('/v1/me', { method: 'GET', headers: { origin: 'https://app.example' } });
      const other = await api.raw('/v1/me', { method: 'GET', headers: { origin: 'https://other.example' } });

      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('answers 429 with Retry-After past the per-IP limit on the auth routes, and leaves /health alone', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await api.post('/v1/token-revoke', { refresh_token: 'x' })).status);
      }
      const limited = await api.post('/v1/forgot-password', { username: 'admin' });

      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ message: expect.any(String), status: 429, code: 'LimitExceeded' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await api.get('/health')).status).toBe(200);
    });
  });

  describe('per-username hourly limits on password reset', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ FORGOT_PASSWORD_PER_HOUR: '2', FORGOT_PASSWORD_CONFIRM_PER_HOUR: '3' });
    });
    afterAll(() => api.close());

    it.each(['admin', 'ghost-user'])('limits forgot-password for %s alike, in any letter case', async (username) => {
      const first = await api.post('/v1/forgot-password', { username });
      const second = await api.post('/v1/forgot-password', { username: username.toUpperCase() });
      const third = await api.post('/v1/forgot-password', { username });

      expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
      expect(third.body.code).toBe('LimitExceeded');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(3500);
    });

    it('limits forgot-password-confirm per username and client address', async () => {
      const attempt = () =>
        api.post('/v1/forgot-password-confirm', {
          username: 'someone',
          password: 'a-Fine-new-passphrase',
          confirmation_code: 'AAAAAAAA',
        });
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await attempt()).status);

      expect(statuses).toEqual([400, 400, 400, 429]);
    });
  });
});
