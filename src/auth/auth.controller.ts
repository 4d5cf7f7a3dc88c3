import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiError, ApiErrors, JSON_BODY_ERRORS } from '../common/decorators/api-errors.decorator';
import { ErrorCode } from '../common/errors/error-code';
import { Public } from '../common/decorators/public.decorator';
import { MessageResponseDto, messageResponse } from '../common/dto/message-response.dto';
import { Client, ClientInfo } from '../common/http/client-info';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { LOGIN_RESPONSE_EXAMPLES, LoginResponseDto, RefreshResponseDto } from './dto/login-response.dto';
import { NewPasswordRequiredDto } from './dto/new-password-required.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RevokeTokenDto } from './dto/revoke-token.dto';
import { SoftwareTokenMfaDto } from './dto/software-token-mfa.dto';

@ApiTags('Auth')
@Public()
@UseGuards(ThrottlerGuard)
@Controller('v1')
@ApiErrors(...JSON_BODY_ERRORS)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Login',
    description:
      'By receiving username and password creates new access, id and refresh tokens. An account created with a ' +
      'temporary password gets the NEW_PASSWORD_REQUIRED challenge and a session instead; one with a second factor ' +
      'SOFTWARE_TOKEN_MFA; with MFA=required, one without a factor MFA_SETUP.',
  })
  @ApiOkResponse({
    type: LoginResponseDto,
    description: 'Tokens, or a challenge and its session',
    examples: LOGIN_RESPONSE_EXAMPLES,
  })
  @ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.TOO_MANY_REQUESTS)
  login(@Body() dto: LoginDto, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    return this.auth.login(dto, client);
  }

  @Post('token-refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Refresh Token',
    description: 'By receiving refresh token and username provides new access and id tokens.',
  })
  @ApiOkResponse({ type: RefreshResponseDto, description: 'New access and id tokens' })
  @ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.TOO_MANY_REQUESTS)
  refresh(@Body() dto: RefreshTokenDto, @Client() client: ClientInfo): Promise<RefreshResponseDto> {
    return this.auth.refresh(dto, client);
  }

  @Post('token-revoke')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Revoke Token',
    description:
      'By receiving refresh token revokes access for all of its access tokens. After the token is revoked, you ' +
      'can not use the revoked token to access authenticated APIs. Unknown or already revoked tokens answer 200 ' +
      '(RFC 7009).',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The token is revoked (or was not valid)' })
  @ApiErrors(HttpStatus.TOO_MANY_REQUESTS)
  async revoke(@Body() dto: RevokeTokenDto, @Client() client: ClientInfo): Promise<MessageResponseDto> {
    await this.auth.revoke(dto.refresh_token, client);
    return messageResponse('Token revoked.');
  }

  @Post('new-password-required')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'New Password Required',
    description:
      'Responds NEW_PASSWORD_REQUIRED challenge by receiving username and session token and setting new password.',
  })
  @ApiOkResponse({
    type: LoginResponseDto,
    description: 'The new password is set; tokens as a login gives',
    example: LOGIN_RESPONSE_EXAMPLES.tokens.value,
  })
  @ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.TOO_MANY_REQUESTS)
  newPasswordRequired(@Body() dto: NewPasswordRequiredDto, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    return this.auth.completeNewPasswordChallenge(dto, client);
  }

  @Post('software-token-mfa')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Software Token MFA',
    description:
      "Responds SOFTWARE_TOKEN_MFA challenge with the authenticator app's current code (each is accepted once) or a " +
      'recovery code. A wrong code counts toward the account lockout; the fifth ends the session.',
  })
  @ApiOkResponse({
    type: LoginResponseDto,
    description: 'The code is right; tokens as a login gives',
    example: LOGIN_RESPONSE_EXAMPLES.tokens.value,
  })
  @ApiError(HttpStatus.UNAUTHORIZED, 'Invalid code.', ErrorCode.CodeMismatch)
  @ApiErrors(HttpStatus.TOO_MANY_REQUESTS)
  softwareTokenMfa(@Body() dto: SoftwareTokenMfaDto, @Client() client: ClientInfo): Promise<LoginResponseDto> {
    return this.auth.answerSoftwareTokenMfa(dto, client);
  }
}
