import { readAuditConfig } from '../audit/audit.config';
import { readAuthConfig } from '../auth/auth.config';
import { readDatabaseConfig } from '../database/database.config';
import { readMailConfig } from '../mail/mail.config';
import { readTokensConfig } from '../tokens/tokens.config';
import { readAppConfig } from './app.config';
import { AllConfig } from './config.types';

/**
 * Parses every namespace at once. Entry points call it before Nest starts, so a bad value
 * is reported as the one line that names it instead of a framework stack trace.
 */
export function readAllConfig(env: NodeJS.ProcessEnv = process.env): AllConfig {
  return {
    app: readAppConfig(env),
    database: readDatabaseConfig(env),
    auth: readAuthConfig(env),
    tokens: readTokensConfig(env),
    mail: readMailConfig(env),
    audit: readAuditConfig(env),
  };
}
