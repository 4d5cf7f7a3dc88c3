import { ApiProperty } from '@nestjs/swagger';
import { Role } from '../../users/entities/user.entity';

/** RFC 7662 section 2.2; every member but `active` only for a live token. */
export class IntrospectionResponseDto {
  /** @example true */
  active!: boolean;

  /** @example "0b5a3c1e-8f4d-4c2a-9a51-3f0e6d7b2c18" */
  sub?: string;

  /** @example "alice" */
  username?: string;

  /** @example "access" */
  token_use?: 'access';

  /**
   * The session the token belongs to.
   * @example "6c1f7a52-3e0b-4f5e-9d43-1b2a8c7e5f90"
   */
  sid?: string;

  @ApiProperty({ enum: Role, isArray: true, required: false, example: ['user'] })
  roles?: Role[];

  /** @example 1764410000 */
  @ApiProperty({ type: 'integer', required: false })
  iat?: number;

  /** @example 1764496400 */
  @ApiProperty({ type: 'integer', required: false })
  exp?: number;

  /** @example "auth-service" */
  iss?: string;

  /** @example "auth-service" */
  aud?: string;
}
