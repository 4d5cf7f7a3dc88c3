import { AuditEventEntity } from '../audit/entities/audit-event.entity';
import { LoginAttemptEntity } from '../auth/entities/login-attempt.entity';
import { RateLimitEntity } from '../auth/entities/rate-limit.entity';
import { OutboxMessageEntity } from '../mail/entities/outbox-message.entity';
import { ChallengeSessionEntity } from '../tokens/entities/challenge-session.entity';
import { ConfirmationCodeEntity } from '../tokens/entities/confirmation-code.entity';
import { RefreshTokenEntity } from '../tokens/entities/refresh-token.entity';
import { UserEntity } from '../users/entities/user.entity';

export const ENTITIES = [
  UserEntity,
  RefreshTokenEntity,
  ChallengeSessionEntity,
  ConfirmationCodeEntity,
  OutboxMessageEntity,
  LoginAttemptEntity,
  RateLimitEntity,
  AuditEventEntity,
];
