import { generateKeyPairSync } from 'node:crypto';
import { Command, CommandRunner, Option } from 'nest-commander';
import { loadJwtKeys } from '../tokens/jwt-keys';
import { CliUsageError } from './provisioning-report';

const KEY_TYPES = ['es256', 'rs256'] as const;
type KeyType = (typeof KEY_TYPES)[number];

/** ES256 by default: small tokens and fast signing. RSA at 3072 bits, NIST's size past 2030. */
function newPrivateKeyPem(type: KeyType): string {
  const { privateKey } =
    type === 'es256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 3072 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Prints a new signing key as PEM on stdout (and only that, for `> jwt.pem`), so an operator
 * needs no openssl; its kid goes to stderr. Runs without configuration or database (see main.ts).
 */
@Command({
  name: 'generate-key',
  description: 'Print a new JWT signing key (PEM) for JWT_PRIVATE_KEY; nothing is stored',
})
export class GenerateKeyCommand extends CommandRunner {
  run(_args: string[], options: { type?: string }): Promise<void> {
    const type = (options.type ?? 'es256').toLowerCase() as KeyType;
    if (!KEY_TYPES.includes(type)) {
      return Promise.reject(new CliUsageError(`--type must be ${KEY_TYPES.join(' or ')}, got "${options.type}"`));
    }
    const pem = newPrivateKeyPem(type);
    const { algorithm, kid } = loadJwtKeys({ JWT_PRIVATE_KEY: pem });
    process.stdout.write(pem);
    process.stderr.write(`${algorithm} key, kid ${kid}: set it as JWT_PRIVATE_KEY (see docs/operations.md)\n`);
    return Promise.resolve();
  }

  @Option({ flags: '--type <type>', description: `key type: ${KEY_TYPES.join(' or ')} (default es256)` })
  parseType(value: string): string {
    return value;
  }
}
