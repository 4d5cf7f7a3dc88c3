/**
 * Driver errors recognised by code, never by constraint or message text
 * (mysql2 and better-sqlite3 both set `code`; TypeORM keeps it on QueryFailedError).
 */
const UNIQUE_VIOLATIONS = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** The database is unreachable or overloaded: the request can be retried later. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_READONLY',
]);

/**
 * The database gave up on this unit of work to break a lock conflict; it was rolled back, so
 * running it again is safe (see Transactions).
 */
const TRANSIENT_CONFLICTS = new Set([
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
]);

function driverCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  return UNIQUE_VIOLATIONS.has(driverCode(error) ?? '');
}

export function isTransientConflict(error: unknown): boolean {
  return TRANSIENT_CONFLICTS.has(driverCode(error) ?? '');
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = driverCode(error) ?? '';
  if (UNAVAILABLE.has(code) || code.startsWith('SQLITE_IOERR')) return true;
  // mysql2 rejects every query on a pool whose connection died mid-flight with this fatal flag.
  return typeof error === 'object' && error !== null && (error as { fatal?: boolean }).fatal === true;
}
