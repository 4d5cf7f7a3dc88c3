import { DataSource } from 'typeorm';
import { AccountProvisioningService } from '../src/users/account-provisioning.service';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** An operator raises BCRYPT_COST; accounts hashed before keep working and catch up at their next login. */
describe('password re-hashing after a cost change (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp | undefined;
  const account = { username: 'long-time-user', email: 'long@mail.test', password: 'Hashed-Long-Ago-Secret-38' };

  beforeAll(async () => {
    db = await createTestDatabase();
    const before = await startTestApp({ BCRYPT_COST: '4' }, db);
    await before.app.get(AccountProvisioningService).createUser({ ...account, admin: false });
    await before.close();
  });
  afterAll(async () => {
    await api?.close();
    await db.drop();
  });

  const costOf = async (username: string) => {
    const [row] = await api!.app
      .get(DataSource)
      .query('SELECT password_hash FROM users WHERE username = ?', [username]);
    return Number((row as { password_hash: string }).password_hash.split('$')[2]);
  };
  const login = (password: string) => api!.post('/v1/login', { username: account.username, password });

  it('makes the hash again at the current cost on the next successful login, and only then', async () => {
    api = await startTestApp({ BCRYPT_COST: '5', RATE_LIMIT_PER_MINUTE: '0' }, db);
    expect(await costOf(account.username)).toBe(4);

    expect((await login('Not-The-Password-Anyway-1')).status).toBe(401);
    expect(await costOf(account.username)).toBe(4);

    expect((await login(account.password)).status).toBe(200);
    expect(await costOf(account.username)).toBe(5);
    expect((await login(account.password)).status).toBe(200);
  });
});
