import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiError, ApiErrors, JSON_BODY_ERRORS } from '../common/decorators/api-errors.decorator';
import { MessageResponseDto, messageResponse } from '../common/dto/message-response.dto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { Client, ClientInfo } from '../common/http/client-info';
import { AdminAccessService } from './admin-access.service';
import { Actor, AdminApi } from './admin-api.decorator';
import type { AdminActor } from './admin-actor';
import { AdminPasswordsService } from './admin-passwords.service';
import { LAST_ADMIN, USER_NOT_FOUND, USERNAME_PARAM } from './admin-docs';
import { AdminUserResponseDto, toAdminUser } from './dto/admin-user-response.dto';
import { AdminResetPasswordDto, ResetMode } from './dto/reset-password.dto';

/** Whether and how a user may sign in: disable, enable, sign-out, password and factor resets. */
@Controller('v1/admin/users/:username')
@AdminApi()
@ApiParam(USERNAME_PARAM)
@ApiError(...USER_NOT_FOUND)
@ApiErrors(...JSON_BODY_ERRORS)
export class AdminUserAccessController {
  constructor(
    private readonly access: AdminAccessService,
    private readonly passwords: AdminPasswordsService,
  ) {}

  @Post('disable')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Disable a user',
    description:
      'Every session ends at once; login, refresh and forgot-password then treat the account as disabled. ' +
      'The last active admin cannot be disabled (409).',
  })
  @ApiOkResponse({ type: AdminUserResponseDto, description: 'The user, disabled' })
  @ApiError(...LAST_ADMIN)
  async disable(
    @Param('username') username: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.access.disable(username, actor, client));
  }

  @Post('enable')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Enable a user', description: 'Sessions ended while it was disabled stay ended.' })
  @ApiOkResponse({ type: AdminUserResponseDto, description: 'The user, enabled' })
  async enable(
    @Param('username') username: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.access.enable(username, actor, client));
  }

  @Post('sign-out')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign a user out everywhere', description: 'Every session of the user ends at once.' })
  @ApiOkResponse({ type: MessageResponseDto, description: 'Every session is ended' })
  async signOut(
    @Param('username') username: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<MessageResponseDto> {
    await this.access.signOut(username, actor, client);
    return messageResponse('The user is signed out of every session.');
  }

  @Post('mfa/reset')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Remove a user's second factor",
    description: 'For a lost authenticator: the factor and its recovery codes are removed; sessions go on.',
  })
  @ApiOkResponse({ type: AdminUserResponseDto, description: 'The user, without a second factor' })
  async resetMfa(
    @Param('username') username: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.access.resetMfa(username, actor, client));
  }

  @Post('reset-password')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Reset a user's password",
    description:
      '`code`: the forgot-password mail, with a confirmation code the user redeems. `temporary`: the current ' +
      'password stops working, every session ends and the next login answers NEW_PASSWORD_REQUIRED; the ' +
      '`temporary_password` given, or else a generated one mailed to the user (never answered).',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The reset is under way' })
  async resetPassword(
    @Param('username') username: string,
    @Body() dto: AdminResetPasswordDto,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<MessageResponseDto> {
    if (dto.mode === ResetMode.Code) {
      if (dto.temporary_password !== undefined) throw temporaryWithCode();
      await this.passwords.sendResetCode(username, actor, client);
      return messageResponse('A confirmation code is being mailed to the user.');
    }
    await this.passwords.setTemporary(username, dto.temporary_password, actor, client);
    return messageResponse(
      dto.temporary_password === undefined
        ? 'A temporary password is being mailed to the user; every session has ended.'
        : 'The temporary password is set; every session has ended.',
    );
  }
}

const temporaryWithCode = () =>
  new ApiException(ErrorCode.InvalidParameter, 'temporary_password goes with mode "temporary" only');
