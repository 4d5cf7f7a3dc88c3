import { Controller, Delete, Get, HttpCode, HttpStatus, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { AdminSessionListResponseDto, toSession } from '../auth/dto/session-response.dto';
import { ApiError } from '../common/decorators/api-errors.decorator';
import { Client, ClientInfo } from '../common/http/client-info';
import { Actor, AdminApi } from './admin-api.decorator';
import type { AdminActor } from './admin-actor';
import { AdminSessionsService } from './admin-sessions.service';
import { USER_NOT_FOUND, USERNAME_PARAM } from './admin-docs';

@Controller('v1/admin/users/:username/sessions')
@AdminApi()
@ApiParam(USERNAME_PARAM)
export class AdminUserSessionsController {
  constructor(private readonly sessions: AdminSessionsService) {}

  @Get()
  @ApiOperation({
    summary: "A user's sessions",
    description: 'Every live session (login) of the account, newest first.',
  })
  @ApiOkResponse({ type: AdminSessionListResponseDto, description: 'The live sessions' })
  @ApiError(...USER_NOT_FOUND)
  async list(@Param('username') username: string): Promise<AdminSessionListResponseDto> {
    return { sessions: (await this.sessions.list(username)).map(toSession) };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End one session of a user',
    description: "Its refresh token and access tokens stop working at once; the user's other sessions go on.",
  })
  @ApiParam({ name: 'id', description: 'A session id from the list' })
  @ApiNoContentResponse({ description: 'The session is ended' })
  @ApiError(HttpStatus.NOT_FOUND, 'User not found, or session not found.')
  async end(
    @Param('username') username: string,
    @Param('id') id: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.sessions.end(username, id, actor, client);
  }
}
