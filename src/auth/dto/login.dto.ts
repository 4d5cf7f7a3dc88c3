import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsUsername } from '../../users/username';

export class LoginDto {
  /**
   * Case-insensitive account name.
   * @example "admin"
   */
  @IsUsername()
  username!: string;

  /**
   * @example "j8BDWYrQwDF5u4Yu"
   */
  @IsNotEmpty()
  @MaxLength(1024)
  @IsString()
  password!: string;
}
