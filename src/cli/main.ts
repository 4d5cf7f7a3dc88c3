import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { ApiException } from '../common/errors/api.exception';
import { checkAllConfig } from '../all-config';
import { ConfigError } from '../config/env';
import { loadEnvFile } from '../config/env-file';
import { sizeThreadPool } from '../config/thread-pool';
import { isDatabaseUnavailable } from '../database/database-errors';
import { CliUsageError } from './provisioning-report';
import { CliModule } from './cli.module';
import { KeyCliModule } from './key-cli.module';

/** One line on stderr and a non-zero exit: what a script calling the CLI can act on. */
function fail(error: Error): never {
  const known = error instanceof ApiException || error instanceof ConfigError || error instanceof CliUsageError;
  const code = (error as { code?: unknown }).code;
  const reason = known
    ? error.message
    : isDatabaseUnavailable(error)
      ? `cannot reach the database (${typeof code === 'string' ? code : error.name}); check DATABASE_URL`
      : `${error.name}: ${error.message}`;
  process.stderr.write(`error: ${reason}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  // A key is made before there is a configuration that needs one, or a database.
  const keyCommand = process.argv[2] === 'generate-key';
  if (!keyCommand) {
    loadEnvFile();
    // As the server does, so the password hasher's count of hashing threads holds here too.
    sizeThreadPool();
    checkAllConfig();
  }
  await CommandFactory.run(keyCommand ? KeyCliModule : CliModule, {
    // The CLI speaks for itself (stdout, or one line on stderr); framework logs would only add noise.
    logger: false,
    abortOnError: false,
    serviceErrorHandler: fail,
    errorHandler: (error) => {
      // commander already printed its own message (unknown option, missing value, --help).
      const code = (error as { exitCode?: number }).exitCode;
      process.exit(code ?? 1);
    },
  });
}

main().catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
