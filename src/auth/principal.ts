import type { AccessTokenClaims } from '../tokens/access-tokens.service';
import type { UserEntity } from '../users/entities/user.entity';

/** Who is calling: the verified access-token claims and the account, as the guard loaded it. */
export interface Principal {
  claims: AccessTokenClaims;
  user: UserEntity;
}
