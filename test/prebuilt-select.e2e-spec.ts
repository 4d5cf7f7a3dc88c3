import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { readDatabaseConfig } from '../src/database/database.config';
import { PrebuiltSelect } from '../src/database/prebuilt-select';
import { buildDataSourceOptions } from '../src/database/typeorm-options';
import { RefreshTokenEntity } from '../src/tokens/entities/refresh-token.entity';
import { Role, UserEntity, UserStatus } from '../src/users/entities/user.entity';
import { createTestDatabase, TestDatabase } from './support/test-database';

// PrebuiltSelect hydrates rows itself; on each engine it must give what TypeORM's getOne() gives.
describe('PrebuiltSelect on the real database', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const userId = randomUUID();
  const tokenId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(
      buildDataSourceOptions(readDatabaseConfig({ DATABASE_URL: database.url }), [UserEntity, RefreshTokenEntity]),
    ).initialize();
    const at = new Date('2026-03-04T05:06:07.089Z');
    await dataSource.getRepository(UserEntity).insert({
      id: userId,
      username: 'zoë',
      email: 'zoe@example.com',
      passwordHash: `$2b$04$${'a'.repeat(53)}`,
      status: UserStatus.Active,
      roles: [Role.User, Role.Admin],
      temporaryPasswordExpiresAt: null,
      createdAt: at,
      updatedAt: new Date(at.getTime() + 1),
    });
    await dataSource.getRepository(RefreshTokenEntity).insert({
      id: tokenId,
      userId,
      familyId: tokenId,
      tokenHash: 'f'.repeat(64),
      createdAt: at,
      expiresAt: new Date(at.getTime() + 86_400_000),
      revokedAt: null,
      rotatedAt: new Date(at.getTime() + 5),
      lastUsedAt: null,
      userAgent: 'spec',
      ipAddress: '203.0.113.9',
    });
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const tokenWithUser = () =>
    dataSource
      .getRepository(RefreshTokenEntity)
      .createQueryBuilder('token')
      .addSelect('token.tokenHash')
      .innerJoinAndSelect('token.user', 'user')
      .where('token.id = :id');

  it('hydrates a joined row exactly as getOne() does: dates, arrays, nulls and hidden columns', async () => {
    const select = new PrebuiltSelect(tokenWithUser(), ['id']);
    const row = (await select.first({ id: tokenId }))!;
    const hydrated = {
      ...select.entity<RefreshTokenEntity>('token', row),
      user: select.entity<UserEntity>('user', row),
    };

    const expected = await tokenWithUser().setParameters({ id: tokenId }).getOne();
    expect(hydrated).toEqual({ ...expected });
    expect(hydrated.expiresAt).toEqual(new Date('2026-03-05T05:06:07.089Z'));
    expect(hydrated.user.roles).toEqual([Role.User, Role.Admin]);
    expect(hydrated.tokenHash).toBe('f'.repeat(64));
  });

  it('binds parameters by name, whatever order the statement needs them in', async () => {
    const select = new PrebuiltSelect(
      dataSource
        .getRepository(RefreshTokenEntity)
        .createQueryBuilder('token')
        .where('token.user_id = :userId AND token.id = :tokenId'),
      ['tokenId', 'userId'],
    );

    expect(await select.first({ tokenId, userId })).toBeDefined();
    expect(await select.first({ tokenId: userId, userId: tokenId })).toBeUndefined();
  });
});
