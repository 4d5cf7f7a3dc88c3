// Why the hot lookups are PrebuiltSelects (src/database/prebuilt-select.ts): the refresh
// token lookup (token, its user and its session's row) on SQLite, built with TypeORM's query
// builder and run with getOne() on every call, against the same statement built once.
// Run: npx nest build && node bench/workarounds/prebuilt-select.js
require('reflect-metadata');
const { randomUUID } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { DataSource } = require('typeorm');

const dist = join(__dirname, '../../dist/src');
const { PrebuiltSelect } = require(`${dist}/database/prebuilt-select`);
const { MIGRATIONS } = require(`${dist}/database/migrations`);
const { RefreshTokenEntity } = require(`${dist}/tokens/entities/refresh-token.entity`);
const { RefreshTokensRepository } = require(`${dist}/tokens/refresh-tokens.repository`);
const { UserEntity } = require(`${dist}/users/entities/user.entity`);

const ROUNDS = 5;
const CALLS = 2000;

/** `builder`, noting in `calls` each call made on it that returns it, but for the parameters (the caller's). */
function noting(builder, calls) {
  const proxy = new Proxy(builder, {
    get(target, name) {
      const value = target[name];
      if (typeof value !== 'function') return value;
      return (...args) => {
        const result = value.apply(target, args);
        if (result !== target) return result;
        if (name !== 'setParameters') calls.push([name, args]);
        return proxy;
      };
    },
  });
  return proxy;
}

/**
 * The lookup of RefreshTokensRepository.findWithHash, as the compiled repository builds it (once,
 * in its constructor, its first query builder): the constructor runs on a stand-in repository
 * that notes the calls made on each builder, and the first one's are made again on a new builder
 * at every call of the function returned.
 */
function tokenWithUserBuilder(dataSource) {
  const builders = [];
  const tokens = {
    createQueryBuilder: (alias) => {
      const calls = [];
      builders.push({ alias, calls });
      return noting(dataSource.getRepository(RefreshTokenEntity).createQueryBuilder(alias), calls);
    },
  };
  void new RefreshTokensRepository(tokens, undefined, undefined);
  const [{ alias, calls }] = builders;
  return () =>
    calls.reduce(
      (builder, [name, args]) => builder[name](...args),
      dataSource.getRepository(RefreshTokenEntity).createQueryBuilder(alias),
    );
}

async function microsPerCall(fn) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i += 1) {
    if (!(await fn())) throw new Error('lookup found nothing');
  }
  return Number(process.hrtime.bigint() - started) / 1000 / CALLS;
}

async function main() {
  const folder = mkdtempSync(join(tmpdir(), 'prebuilt-select-'));
  const dataSource = await new DataSource({
    type: 'better-sqlite3',
    database: join(folder, 'bench.sqlite'),
    entities: [UserEntity, RefreshTokenEntity],
    migrations: MIGRATIONS,
    migrationsRun: true,
    logging: false,
  }).initialize();
  try {
    const userId = randomUUID();
    const tokenId = randomUUID();
    const now = new Date();
    await dataSource.getRepository(UserEntity).insert({
      id: userId,
      username: 'alice',
      email: 'alice@example.com',
      passwordHash: `$2b$04$${'a'.repeat(53)}`,
      status: 'ACTIVE',
      roles: ['user'],
      temporaryPasswordExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await dataSource.getRepository(RefreshTokenEntity).insert({
      id: tokenId,
      userId,
      familyId: tokenId,
      tokenHash: 'f'.repeat(64),
      createdAt: now,
      expiresAt: new Date(now.getTime() + 86_400_000),
      revokedAt: null,
      rotatedAt: null,
      lastUsedAt: null,
      userAgent: 'bench',
      ipAddress: '127.0.0.1',
    });

    const tokenWithUser = tokenWithUserBuilder(dataSource);
    const prebuilt = new PrebuiltSelect(tokenWithUser(), ['id']);
    const kinds = {
      'query builder + getOne()': () => tokenWithUser().setParameters({ id: tokenId }).getOne(),
      PrebuiltSelect: async () => {
        const row = await prebuilt.first({ id: tokenId });
        return row && { ...prebuilt.entity('token', row), user: prebuilt.entity('user', row) };
      },
    };
    const results = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, []]));
    for (let round = 0; round <= ROUNDS; round += 1) {
      // Round 0 warms up; the kinds alternate so other work on the machine skews both alike.
      for (const [kind, fn] of Object.entries(kinds)) {
        const micros = await microsPerCall(fn);
        if (round > 0) results[kind].push(micros);
      }
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(`node ${process.version}, SQLite, ${CALLS} lookups x ${ROUNDS} rounds, median µs per lookup`);
    for (const [kind, values] of Object.entries(results)) {
      console.log(`${kind.padEnd(26)} ${median(values).toFixed(1)} µs (${values.map((v) => v.toFixed(0)).join(', ')})`);
    }
  } finally {
    await dataSource.destroy();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
