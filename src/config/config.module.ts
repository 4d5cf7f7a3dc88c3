import { ConfigModule } from '@nestjs/config';
import { appConfig } from './app.config';

/**
 * The HTTP server's own settings, global; every feature module registers its own namespace
 * with `ConfigModule.forFeature` and reads only that one. Entry points check every namespace
 * before Nest starts (all-config.ts), so a bad value stops the start as one line.
 */
export const AppConfigModule = ConfigModule.forRoot({
  isGlobal: true,
  cache: true,
  // Entry points load .env themselves (env-file.ts), before the first setting is read.
  ignoreEnvFile: true,
  load: [appConfig],
});
