import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class IntrospectDto {
  /**
   * The token to check, as the resource server received it.
   * @example "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9..."
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  token!: string;

  /**
   * RFC 7662's hint; accepted and not needed: only access tokens are ever active.
   * @example "access_token"
   */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  token_type_hint?: string;
}
