import fc from 'fast-check';
import { startTestApp, TestApp } from './support/test-app';

const POST_ROUTES = [
  '/v1/login',
  '/v1/token-refresh',
  '/v1/token-revoke',
  '/v1/forgot-password',
  '/v1/forgot-password-confirm',
  '/v1/change-password',
  '/v1/new-password-required',
];

/** Field names the routes know, mixed with others, so bodies get past the "unknown field" check. */
const FIELD = fc.constantFrom(
  'username',
  'password',
  'refresh_token',
  'access_token',
  'previous_password',
  'proposed_password',
  'new_password',
  'session',
  'confirmation_code',
  '__proto__',
  'constructor',
  'x',
);

const BODY = fc.oneof(
  fc.dictionary(FIELD, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
  fc.dictionary(FIELD, fc.string({ unit: 'binary', maxLength: 300 }), { maxKeys: 5 }),
  fc.jsonValue({ maxDepth: 4 }),
);

/** Property: whatever JSON a client sends, the service answers in the contract's shape and never with a 5xx. */
describe('validation layer under random input (e2e, fast-check)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => api.close());

  const expectContractAnswer = (response: { status: number; body: any }) => {
    expect(response.status).toBeLessThan(500);
    if (response.status >= 400) {
      expect(response.body).toEqual(expect.objectContaining({ message: expect.any(String), status: response.status }));
    }
  };

  it.each(POST_ROUTES)('%s: random JSON bodies never yield a 5xx', async (route) => {
    await fc.assert(
      fc.asyncProperty(BODY, async (body) => {
        expectContractAnswer(await api.post(route, body));
      }),
      { numRuns: 150 },
    );
  });

  it.each(POST_ROUTES)('%s: random bytes as a JSON body never yield a 5xx', async (route) => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (text) => {
        expectContractAnswer(
          await api.raw(route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text }),
        );
      }),
      { numRuns: 40 },
    );
  });

  /** Each route with a valid-looking body built around one username. */
  const bodiesFor = (username: string): Array<[string, Record<string, string>]> => [
    ['/v1/login', { username, password: 'Some-long-passphrase' }],
    ['/v1/token-refresh', { username, refresh_token: 'x'.repeat(80) }],
    ['/v1/forgot-password', { username }],
    ['/v1/forgot-password-confirm', { username, password: 'Some-long-passphrase', confirmation_code: 'AAAAAAAA' }],
    ['/v1/new-password-required', { username, session: 'x'.repeat(80), new_password: 'Some-long-passphrase' }],
  ];

  it.each(['\ud800', 'a\udfffb', '\u0000', '😀'.repeat(40), 'ﬀ'.repeat(100), '\u202e', 'Ａ'.repeat(128)])(
    'treats the hard username %j as data on every route',
    async (username) => {
      for (const [route, body] of bodiesFor(username)) {
        const response = await api.post(route, body);
        expectContractAnswer(response);
      }
    },
  );
});
