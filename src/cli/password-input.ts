import { CliUsageError } from './provisioning-report';

/** The environment variable the CLI reads a final password from, when no option gives one. */
export const PASSWORD_ENV = 'CLI_PASSWORD';

export interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

/**
 * The final password a command was given, without it having to appear in the process list:
 * `--password-stdin` reads it from a pipe (the first line), and `CLI_PASSWORD` from the
 * environment, which only the same user can read. `--password` stays for compatibility.
 */
export async function passwordFrom(
  options: PasswordOptions,
  env: NodeJS.ProcessEnv = process.env,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<string | undefined> {
  if (options.password !== undefined && options.passwordStdin) {
    throw new CliUsageError('give either --password or --password-stdin, not both');
  }
  if (options.password !== undefined) return options.password;
  if (options.passwordStdin) return readFirstLine(stdin);
  const fromEnv = env[PASSWORD_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

async function readFirstLine(stdin: NodeJS.ReadStream): Promise<string> {
  if (stdin.isTTY) {
    throw new CliUsageError(`--password-stdin reads a pipe, e.g. printf '%s' "$PASSWORD" | npm run cli -- ...`);
  }
  // Decoded once, whole: a character split across two chunks would not survive chunk by chunk.
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0];
  if (!line) throw new CliUsageError('--password-stdin read no password');
  return line;
}
