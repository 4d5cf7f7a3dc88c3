import { registerAs } from '@nestjs/config';
import { ConfigError, readDurationSeconds, readInt, readString } from '../config/env';

export type DatabaseConnection = { type: 'sqlite'; path: string } | { type: 'mysql'; url: string; poolSize: number };

export type DatabaseConfig = DatabaseConnection & {
  /** How often the janitor trims the tables that grow without bound. */
  janitorIntervalSeconds: number;
};

export const DEFAULT_DATABASE_URL = 'sqlite:./data/auth.sqlite';

export function readDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return { ...readConnection(env), janitorIntervalSeconds: readDurationSeconds(env, 'JANITOR_INTERVAL', '10m') };
}

function readConnection(env: NodeJS.ProcessEnv): DatabaseConnection {
  const url = readString(env, 'DATABASE_URL', DEFAULT_DATABASE_URL);
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/auth.sqlite');
    return { type: 'sqlite', path };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    try {
      const parsed = new URL(url);
      if (parsed.pathname.length < 2) throw new Error('no database');
    } catch {
      throw new ConfigError('DATABASE_URL must look like mysql://user:password@host:3306/database');
    }
    return {
      type: 'mysql',
      url: url.replace(/^mariadb:/, 'mysql:'),
      poolSize: readInt(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    };
  }
  // Quote only a real scheme: a value without one may be a pasted password or host, which the
  // one line main.ts prints must not repeat.
  const scheme = /^([a-z][a-z\d+.-]{0,30}):\/\//i.exec(url)?.[1];
  const got = scheme ? `got a "${scheme}://" URL` : 'got a value without a URL scheme';
  const hint = scheme && /^postgres/i.test(scheme) ? '; PostgreSQL is not supported' : '';
  throw new ConfigError(`DATABASE_URL must start with sqlite: or mysql:// (${got})${hint}`);
}

export const databaseConfig = registerAs('database', () => readDatabaseConfig());
