import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { HttpClient, httpClient } from './http-client';
import { createTestDatabase, TestDatabase } from './test-database';

export const ADMIN_PASSWORD = 'Correct-Horse-Battery-7';

export type { TestResponse } from './http-client';

export interface TestApp extends HttpClient {
  app: NestFastifyApplication;
  url: string;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the real application (createApp, as production does) on a fresh database and a
 * random port, and talks to it over real HTTP. `env` overrides settings for this app only.
 */
export async function startTestApp(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const settings: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '4',
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_USERNAME: 'admin',
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD,
    DATABASE_URL: db.url,
    // Specs reset passwords many times per account; the limits have their own spec.
    FORGOT_PASSWORD_PER_HOUR: '1000',
    FORGOT_PASSWORD_CONFIRM_PER_HOUR: '1000',
    // A REDIS_URL exported where jest runs must not make these apps share state (empty is unset).
    REDIS_URL: '',
    ...env,
  };
  const saved = { ...process.env };
  Object.assign(process.env, settings);
  let app: NestFastifyApplication;
  try {
    app = await createApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
  } finally {
    process.env = saved;
  }
  const url = await app.getUrl();

  return {
    app,
    url,
    databaseUrl: db.url,
    ...httpClient(url),
    close: async () => {
      await app.close();
      if (!database) await db.drop();
    },
  };
}
