import { registerAs } from '@nestjs/config';
import { readDurationSeconds } from '../config/env';

export interface AuditConfig {
  /** How long an audit event is kept before the janitor deletes it. */
  retentionSeconds: number;
}

export function readAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  return { retentionSeconds: readDurationSeconds(env, 'AUDIT_RETENTION', '365d') };
}

export const auditConfig = registerAs('audit', () => readAuditConfig());
