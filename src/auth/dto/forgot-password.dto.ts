import { IsUsername } from '../../users/username';

export class ForgotPasswordDto {
  /** @example "admin" */
  @IsUsername()
  username!: string;
}
