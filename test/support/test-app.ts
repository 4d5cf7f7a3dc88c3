import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { createTestDatabase, TestDatabase } from './test-database';

export const ADMIN_PASSWORD = 'Correct-Horse-Battery-7';

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  databaseUrl: string;
  post<T = any>(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<TestResponse<T>>;
  raw(path: string, init: RequestInit): Promise<TestResponse>;
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

  const raw = async (path: string, init: RequestInit): Promise<TestResponse> => {
    const response = await fetch(`${url.replace('[::1]', '127.0.0.1')}${path}`, init);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (e.g. the Swagger UI page): keep the text.
    }
    return { status: response.status, headers: response.headers, body };
  };

  return {
    app,
    url,
    databaseUrl: db.url,
    raw,
    post: (path, body, headers = {}) =>
      raw(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    get: (path, headers = {}) => raw(path, { method: 'GET', headers }),
    close: async () => {
      await app.close();
      if (!database) await db.drop();
    },
  };
}
