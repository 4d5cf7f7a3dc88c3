import { ApiProperty } from '@nestjs/swagger';

/** The body of a successful operation with nothing else to return. */
export class MessageResponseDto {
  /** @example "Token revoked." */
  message!: string;

  /** @example 200 */
  @ApiProperty({ type: 'integer' })
  status!: number;
}

/** Every error, from every route and layer. */
export class ErrorResponseDto {
  /** @example "Incorrect username or password." */
  message!: string;

  /**
   * Equals the HTTP status.
   * @example 401
   */
  @ApiProperty({ type: 'integer' })
  status!: number;

  /**
   * Machine-readable reason.
   * @example "NotAuthorized"
   */
  code?: string;
}

export function messageResponse(message: string): MessageResponseDto {
  return { message, status: 200 };
}
