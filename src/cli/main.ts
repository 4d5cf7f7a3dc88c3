import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { ApiException } from '../common/errors/api.exception';
import { readAllConfig } from '../config/all-config';
import { ConfigError } from '../config/env';
import { CliUsageError } from './cli-output';
import { CliModule } from './cli.module';

/** One line on stderr and a non-zero exit: what a script calling the CLI can act on. */
function fail(error: Error): never {
  const known = error instanceof ApiException || error instanceof ConfigError || error instanceof CliUsageError;
  process.stderr.write(`error: ${known ? error.message : `${error.name}: ${error.message}`}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  readAllConfig();
  await CommandFactory.run(CliModule, {
    logger: ['error'],
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
