import { AuditConfig } from '../audit/audit.config';
import { AuthConfig } from '../auth/auth.config';
import { DatabaseConfig } from '../database/database.config';
import { MailConfig } from '../mail/mail.config';
import { TokensConfig } from '../tokens/tokens.config';
import { AppConfig } from './app.config';

/** Every config namespace; read with `ConfigService<AllConfig, true>` and `{ infer: true }`. */
export interface AllConfig {
  app: AppConfig;
  database: DatabaseConfig;
  auth: AuthConfig;
  tokens: TokensConfig;
  mail: MailConfig;
  audit: AuditConfig;
}
