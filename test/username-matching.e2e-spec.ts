import { DataSource } from 'typeorm';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';
import { isMysqlRun } from './support/test-database';

/** Usernames compare byte for byte in canonical form on every database (CONTRACT.md, Concurrency). */
describe('username matching (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => api.close());

  const login = (username: string, password: string) => api.post('/v1/login', { username, password });

  it.each(['admin ', 'admin  ', ' admin', 'admin\t'])('does not take %p for admin', async (spaced) => {
    const response = await login(spaced, ADMIN_PASSWORD);

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'NotAuthorized' });
  });

  it('keeps the lockout of a padded name apart from the account’s own', async () => {
    for (let i = 0; i < 6; i += 1) expect([401, 429]).toContain((await login('admin ', 'wrong-password')).status);

    expect((await login('admin ', ADMIN_PASSWORD)).status).toBe(429);
    expect((await login('admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('declares the name columns with a no-pad binary collation on MySQL', async () => {
    if (!isMysqlRun()) return;
    const rows: Array<{ table: string; collation: string }> = await api.app.get(DataSource).query(
      `SELECT TABLE_NAME AS \`table\`, COLLATION_NAME AS collation FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN ('username', 'limit_key')`,
    );

    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.collation).toMatch(/^utf8mb4_(nopad_bin|0900_bin)$/);
  });
});
