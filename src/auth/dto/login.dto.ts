import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto {
  /**
   * Case-insensitive account name.
   * @example "admin"
   */
  @IsNotEmpty()
  @MaxLength(128)
  @IsString()
  username!: string;

  /**
   * @example "j8BDWYrQwDF5u4Yu"
   */
  @IsNotEmpty()
  @MaxLength(1024)
  @IsString()
  password!: string;
}
