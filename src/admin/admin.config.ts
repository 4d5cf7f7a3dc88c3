import { registerAs } from '@nestjs/config';
import { AdminApiKeys, readAdminApiKeys } from './admin-api-keys';

export interface AdminConfig {
  /** Keys that may call the admin API besides admin users' access tokens (none: tokens only). */
  apiKeys: AdminApiKeys;
}

export function readAdminConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  return { apiKeys: readAdminApiKeys(env) };
}

export const adminConfig = registerAs('admin', () => readAdminConfig());
