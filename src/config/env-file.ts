import { config } from 'dotenv';

/**
 * Reads `.env` from the working directory into process.env, never overriding a variable
 * the environment already sets. Only entry points call it (server, CLI, TypeORM CLI), so
 * tests see exactly the settings they give.
 */
export function loadEnvFile(): void {
  config({ quiet: true });
}
