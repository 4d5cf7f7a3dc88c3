import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiError, ApiErrors, JSON_BODY_ERRORS } from '../common/decorators/api-errors.decorator';
import { MessageResponseDto, messageResponse } from '../common/dto/message-response.dto';
import { Client, ClientInfo } from '../common/http/client-info';
import { Actor, AdminApi } from './admin-api.decorator';
import type { AdminActor } from './admin-actor';
import { AdminUsersService } from './admin-users.service';
import { AdminUserResponseDto, toAdminUser } from './dto/admin-user-response.dto';

const USERNAME = { name: 'username', description: 'In any letter case', example: 'alice' };

@Controller('v1/admin/users')
@AdminApi()
@ApiParam(USERNAME)
@ApiError(HttpStatus.NOT_FOUND, 'User not found.')
export class AdminUsersController {
  constructor(private readonly admin: AdminUsersService) {}

  @Get(':username')
  @ApiOperation({
    summary: 'One user',
    description: 'The account of that name (in any letter case), as operators see it.',
  })
  @ApiOkResponse({ type: AdminUserResponseDto, description: 'The user' })
  async get(@Param('username') username: string): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.admin.find(username));
  }

  @Post(':username/disable')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Disable a user',
    description:
      'Every session ends at once; login, refresh and forgot-password then treat the account as disabled. ' +
      'The last active admin cannot be disabled (409).',
  })
  @ApiOkResponse({ type: AdminUserResponseDto, description: 'The user, disabled' })
  @ApiError(HttpStatus.CONFLICT, 'The last active admin cannot be disabled, demoted or deleted.')
  @ApiErrors(...JSON_BODY_ERRORS)
  async disable(
    @Param('username') username: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.admin.disable(username, actor, client));
  }

  @Post(':username/enable')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Enable a user', description: 'Sessions ended while it was disabled stay ended.' })
  @ApiOkResponse({ type: AdminUserResponseDto, description: 'The user, enabled' })
  @ApiErrors(...JSON_BODY_ERRORS)
  async enable(
    @Param('username') username: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.admin.enable(username, actor, client));
  }

  @Post(':username/sign-out')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign a user out everywhere', description: 'Every session of the user ends at once.' })
  @ApiOkResponse({ type: MessageResponseDto, description: 'Every session is ended' })
  @ApiErrors(...JSON_BODY_ERRORS)
  async signOut(
    @Param('username') username: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<MessageResponseDto> {
    await this.admin.signOut(username, actor, client);
    return messageResponse('The user is signed out of every session.');
  }
}
