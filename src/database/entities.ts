import { ChallengeSessionEntity } from '../tokens/entities/challenge-session.entity';
import { RefreshTokenEntity } from '../tokens/entities/refresh-token.entity';
import { UserEntity } from '../users/entities/user.entity';

export const ENTITIES = [UserEntity, RefreshTokenEntity, ChallengeSessionEntity];
