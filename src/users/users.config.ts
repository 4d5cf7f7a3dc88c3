import { registerAs } from '@nestjs/config';
import { readDurationSeconds, readInt, readString } from '../config/env';

export interface UsersConfig {
  bcryptCost: number;
  /** Password checks that may wait for a hashing thread; past it, 503 at once. */
  passwordQueueLimit: number;
  temporaryPasswordTtl: number;
  /** What the first start and `seed-admin` create when they are given nothing else. */
  admin: { username: string; email: string; password?: string };
}

export function readUsersConfig(env: NodeJS.ProcessEnv = process.env): UsersConfig {
  return {
    // 12 is OWASP's floor for bcrypt in 2025; below 10 only for tests.
    bcryptCost: readInt(env, 'BCRYPT_COST', 12, 4, 17),
    passwordQueueLimit: readInt(env, 'PASSWORD_QUEUE_LIMIT', 64, 0, 100_000),
    temporaryPasswordTtl: readDurationSeconds(env, 'TEMPORARY_PASSWORD_TTL', '7d'),
    admin: {
      username: readString(env, 'ADMIN_USERNAME', 'admin'),
      email: readString(env, 'ADMIN_EMAIL', 'admin@localhost'),
      password: readString(env, 'ADMIN_PASSWORD'),
    },
  };
}

export const usersConfig = registerAs('users', () => readUsersConfig());
