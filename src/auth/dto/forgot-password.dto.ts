import { UsernameField } from './credential-fields.decorator';

export class ForgotPasswordDto {
  /** @example "admin" */
  @UsernameField()
  username!: string;
}
