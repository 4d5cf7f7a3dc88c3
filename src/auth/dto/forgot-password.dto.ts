import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class ForgotPasswordDto {
  /** @example "admin" */
  @IsNotEmpty()
  @MaxLength(128)
  @IsString()
  username!: string;
}
