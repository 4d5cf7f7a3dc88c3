import { Body, Controller, Headers, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiError,
  ApiErrors,
  Authenticated,
  JSON_BODY_ERRORS,
  OptionalBearer,
} from '../common/decorators/api-errors.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Public } from '../common/decorators/public.decorator';
import { MessageResponseDto, messageResponse } from '../common/dto/message-response.dto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { Client, ClientInfo } from '../common/http/client-info';
import { UserEntity } from '../users/entities/user.entity';
import { AuthService } from './auth.service';
import { MfaDisableDto, MfaSetupDto, MfaVerifyDto } from './dto/mfa.dto';
import { MfaLoginResponseDto, MfaSetupResponseDto, RecoveryCodesResponseDto } from './dto/mfa-response.dto';
import { MfaEnrolmentService } from './mfa-enrolment.service';
import type { Principal } from './principal';

const CODE_MISMATCH = 'Invalid code.';
const needsCredential = () =>
  new ApiException(ErrorCode.NotAuthorized, 'An access token, or the session of an MFA_SETUP challenge, is required.');

/**
 * A second factor (TOTP). Setup and verify take either an access token or an MFA_SETUP
 * challenge's session, so they are public to the global guard and check the caller here.
 */
@ApiTags('Account')
// Within the auth routes' per-IP budget, as login is.
@UseGuards(ThrottlerGuard)
@ApiErrors(HttpStatus.TOO_MANY_REQUESTS)
@Controller('v1/mfa/totp')
export class MfaController {
  constructor(
    private readonly enrolment: MfaEnrolmentService,
    private readonly auth: AuthService,
  ) {}

  @Post('setup')
  @Public()
  @HttpCode(HttpStatus.OK)
  @OptionalBearer()
  @ApiOperation({
    summary: 'Set up a TOTP factor',
    description:
      'A new secret for an authenticator app (SHA-1, 6 digits, 30 s), as text, an otpauth URI and a QR code. ' +
      'With an access token, or with `session` (and `username`) from a login that answered MFA_SETUP. ' +
      'The factor is on once /v1/mfa/totp/verify accepts a first code.',
  })
  @ApiOkResponse({ type: MfaSetupResponseDto, description: 'The secret to enter' })
  @ApiError(HttpStatus.UNAUTHORIZED, 'Invalid or expired access token.')
  @ApiError(HttpStatus.FORBIDDEN, 'Second factors are turned off on this server (MFA=off).')
  @ApiErrors(...JSON_BODY_ERRORS)
  async setup(
    @Headers('authorization') authorization: string | undefined,
    @Body() dto: MfaSetupDto,
  ): Promise<MfaSetupResponseDto> {
    return this.enrolment.setup(await this.caller(authorization, dto));
  }

  @Post('verify')
  @Public()
  @HttpCode(HttpStatus.OK)
  @OptionalBearer()
  @ApiOperation({
    summary: 'Verify the TOTP factor and turn it on',
    description:
      'A first code from the app turns the factor on. The answer has 10 single-use recovery codes, shown only now. ' +
      'From an MFA_SETUP challenge session it also answers tokens, as login does.',
  })
  @ApiOkResponse({ type: MfaLoginResponseDto, description: 'The factor is on: its recovery codes (and tokens)' })
  @ApiError(HttpStatus.UNAUTHORIZED, CODE_MISMATCH, ErrorCode.CodeMismatch)
  @ApiError(HttpStatus.FORBIDDEN, 'Second factors are turned off on this server (MFA=off).')
  @ApiErrors(...JSON_BODY_ERRORS)
  async verify(
    @Headers('authorization') authorization: string | undefined,
    @Body() dto: MfaVerifyDto,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesResponseDto | MfaLoginResponseDto> {
    if (authorization === undefined && dto.session !== undefined) {
      if (dto.username === undefined)
        throw new ApiException(ErrorCode.InvalidParameter, 'username is required with session');
      return this.auth.completeMfaSetup({ session: dto.session, username: dto.username, code: dto.code }, client);
    }
    const user = await this.caller(authorization, dto);
    const codes = await this.enrolment.verify(user, dto.code, client);
    return { ...messageResponse('The second factor is on.'), recovery_codes: codes };
  }

  @Post('disable')
  @Authenticated()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Turn the TOTP factor off',
    description: 'Needs the password; the recovery codes go with the factor.',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The factor is off' })
  @ApiErrors(...JSON_BODY_ERRORS)
  async disable(
    @CurrentUser() principal: Principal,
    @Body() dto: MfaDisableDto,
    @Client() client: ClientInfo,
  ): Promise<MessageResponseDto> {
    await this.enrolment.disable(principal.user, dto.password, client);
    return messageResponse('The second factor is off.');
  }

  private async caller(authorization: string | undefined, dto: MfaSetupDto): Promise<UserEntity> {
    if (authorization !== undefined) return this.enrolment.ownerOf(authorization);
    if (dto.session === undefined) throw needsCredential();
    return this.auth.mfaSetupChallengeUser(dto.session, dto.username);
  }
}
