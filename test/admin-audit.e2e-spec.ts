import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { everyPage } from './support/pages';
import { startTestApp, TestApp } from './support/test-app';

const API_KEY = 'ops-console-key-0123456789abcdef0123456789';
const KEY = { authorization: `Bearer ${API_KEY}` };
const EVENT_FIELDS = ['actor', 'created_at', 'id', 'ip_address', 'type', 'user_agent', 'username'];

interface Event {
  id: string;
  type: string;
  username: string | null;
  actor: string | null;
  created_at: string;
}

/** GET /v1/admin/audit-events: the trail newest first, filtered, a page at a time (issue 18). */
describe('admin API: audit events (e2e)', () => {
  let api: TestApp;
  const password = 'Audited-users-passphrase-1';

  beforeAll(async () => {
    api = await startTestApp({ ADMIN_API_KEYS: `ops-console:${API_KEY}` });
    await api.app
      .get(AccountProvisioningService)
      .createUser({ username: 'audited', email: 'audited@example.com', password, admin: false });
    // A known sequence for `audited`: two failures, a success, then an operator's changes.
    for (const attempt of ['wrong-1', 'wrong-2', password]) {
      await api.post('/v1/login', { username: 'audited', password: attempt }, { 'user-agent': 'audit-spec' });
    }
    expect((await api.post('/v1/admin/users/audited/disable', {}, KEY)).status).toBe(200);
    expect((await api.post('/v1/admin/users/audited/enable', {}, KEY)).status).toBe(200);
  });
  afterAll(() => api?.close());

  const events = (query: string, headers: Record<string, string> = KEY) =>
    api.get(`/v1/admin/audit-events${query}`, headers);

  async function all(query: string): Promise<Event[]> {
    const response = await events(`${query}&limit=100`);
    expect(response.status).toBe(200);
    return response.body.events as Event[];
  }

  it("reads a user's events back newest first, with their actors, in the contract's shape", async () => {
    const response = await events('?username=AUDITED');
    expect(response.status).toBe(200);
    expect(response.body.next_cursor).toBeNull();
    const trail = response.body.events as Event[];
    for (const event of trail) expect(Object.keys(event).sort()).toEqual(EVENT_FIELDS);
    expect(trail.map((e) => e.type)).toEqual([
      'admin.user_enabled',
      'admin.user_disabled',
      'login.succeeded',
      'login.failed',
      'login.failed',
    ]);
    expect(trail.map((e) => e.actor)).toEqual(['key:ops-console', 'key:ops-console', null, null, null]);
    expect(trail[2]).toMatchObject({ username: 'audited', user_agent: 'audit-spec', ip_address: '127.0.0.1' });
    const times = trail.map((e) => e.created_at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by type, and by type and username together', async () => {
    const failed = await all('?type=login.failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.every((e) => e.type === 'login.failed')).toBe(true);
    const disabled = await all('?type=admin.user_disabled&username=audited');
    expect(disabled.map((e) => e.username)).toEqual(['audited']);
  });

  it('takes since as inclusive and until as exclusive', async () => {
    const trail = await all('?username=audited');
    const middle = trail[2].created_at;
    const since = await all(`?username=audited&since=${middle}`);
    expect(since.map((e) => e.id)).toEqual(trail.filter((e) => e.created_at >= middle).map((e) => e.id));
    const until = await all(`?username=audited&until=${middle}`);
    expect(until.map((e) => e.id)).toEqual(trail.filter((e) => e.created_at < middle).map((e) => e.id));
    expect(await all('?username=audited&since=2999-01-01T00:00:00Z')).toEqual([]);
  });

  it('pages through the whole trail with an opaque cursor, each event once, newest first', async () => {
    const everything = await all('?');
    const seen = await everyPage<Event>((query) => events(query), 'events', 2);
    // Events written while paging (none here) would only come before the first page.
    expect(seen.map((e) => e.id)).toEqual(everything.map((e) => e.id));
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  });

  it.each([
    ['?since=yesterday', /since must be a valid ISO 8601/],
    ['?until=2026-13-01T00:00:00Z', /until must be a valid ISO 8601/],
    ['?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z', 'since must not be after until'],
    ['?type=login.maybe', /type must be one of/],
    ['?limit=0', 'limit must be an integer from 1 to 100'],
    ['?limit=500', 'limit must be an integer from 1 to 100'],
    ['?cursor=abc', 'cursor is not valid'],
    [`?cursor=${Buffer.from('["not a date","x"]').toString('base64url')}`, 'cursor is not valid'],
    ['?username=', /username/],
    ['?user=audited', /user/],
  ])('refuses %s with 400', async (query, message) => {
    const response = await events(query);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      message: typeof message === 'string' ? message : expect.stringMatching(message),
      status: 400,
      code: 'InvalidParameter',
    });
  });

  it('is for admins only: 401 without a credential, 403 for a user', async () => {
    expect((await events('', {})).status).toBe(401);
    const login = await api.post('/v1/login', { username: 'audited', password });
    const refused = await events('', { authorization: `Bearer ${login.body.access_token}` });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('Forbidden');
  });
});
