import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CursorField, LimitField } from '../../common/pagination/cursor';
import { UserStatus } from '../../users/entities/user.entity';

export class ListUsersQuery {
  /** A username prefix or a part of the email, in any letter case. @example "ali" */
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsNotEmpty()
  query?: string;

  /** @example "ACTIVE" */
  @IsOptional()
  @IsIn(Object.values(UserStatus))
  status?: UserStatus;

  @LimitField()
  limit?: number;

  @CursorField()
  cursor?: string;
}
