import { ConfigModule } from '@nestjs/config';
import { auditConfig } from '../audit/audit.config';
import { authConfig } from '../auth/auth.config';
import { databaseConfig } from '../database/database.config';
import { mailConfig } from '../mail/mail.config';
import { tokensConfig } from '../tokens/tokens.config';
import { appConfig } from './app.config';

/** Every namespace is parsed and checked once, at boot; a bad value stops the start. */
export const AppConfigModule = ConfigModule.forRoot({
  isGlobal: true,
  cache: true,
  // Entry points load .env themselves (env-file.ts), before the first setting is read.
  ignoreEnvFile: true,
  load: [appConfig, databaseConfig, authConfig, tokensConfig, mailConfig, auditConfig],
});
