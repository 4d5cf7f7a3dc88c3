import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export enum ResetMode {
  /** The forgot-password mail: a confirmation code the user redeems. */
  Code = 'code',
  /** A temporary password: the current one stops working and every session ends. */
  Temporary = 'temporary',
}

export class AdminResetPasswordDto {
  /** @example "temporary" */
  @IsIn(Object.values(ResetMode))
  mode!: ResetMode;

  /**
   * With `temporary` only: the password to hand over yourself. Without it one is generated and
   * mailed to the user, never answered.
   * @example "Temporary-Pass-42"
   */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @IsNotEmpty()
  temporary_password?: string;
}
