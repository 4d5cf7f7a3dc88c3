import { InitialSchema1764380000000 } from './1764380000000-initial-schema';
import { PasswordResetAndOutbox1764390000000 } from './1764390000000-password-reset-and-outbox';
import { LoginAttempts1764400000000 } from './1764400000000-login-attempts';
import { RateLimits1764410000000 } from './1764410000000-rate-limits';
import { RefreshTokenFamilies1764420000000 } from './1764420000000-refresh-token-families';
import { AuditEvents1764430000000 } from './1764430000000-audit-events';
import { RefreshTokenSuccessors1764440000000 } from './1764440000000-refresh-token-successors';
import { NoPadCollation1764450000000 } from './1764450000000-no-pad-collation';
import { TrimIndexes1764460000000 } from './1764460000000-trim-indexes';
import { AdminApi1764470000000 } from './1764470000000-admin-api';
import { AdminLists1764480000000 } from './1764480000000-admin-lists';
import { TotpFactors1764490000000 } from './1764490000000-totp-factors';

/** In order; listed explicitly so the build, the CLI and tests load the same set without globbing. */
export const MIGRATIONS = [
  InitialSchema1764380000000,
  PasswordResetAndOutbox1764390000000,
  LoginAttempts1764400000000,
  RateLimits1764410000000,
  RefreshTokenFamilies1764420000000,
  AuditEvents1764430000000,
  RefreshTokenSuccessors1764440000000,
  NoPadCollation1764450000000,
  TrimIndexes1764460000000,
  AdminApi1764470000000,
  AdminLists1764480000000,
  TotpFactors1764490000000,
];
