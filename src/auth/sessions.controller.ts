import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiError, ApiErrors, Authenticated, JSON_BODY_ERRORS } from '../common/decorators/api-errors.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { MessageResponseDto, messageResponse } from '../common/dto/message-response.dto';
import { Client, ClientInfo } from '../common/http/client-info';
import { SessionListResponseDto, toSessionList } from './dto/session-response.dto';
import type { Principal } from './principal';
import { SessionsService } from './sessions.service';

@ApiTags('Sessions')
@Controller('v1')
@Authenticated()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('sessions')
  @ApiOperation({
    summary: "The caller's sessions",
    description: 'Every live session (login) of the account, newest first; `current` marks the calling one.',
  })
  @ApiOkResponse({ type: SessionListResponseDto, description: 'The live sessions' })
  async list(@CurrentUser() principal: Principal): Promise<SessionListResponseDto> {
    return toSessionList(await this.sessions.list(principal), principal.claims.sid);
  }

  @Delete('sessions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End one session',
    description:
      "Ends one of the caller's sessions (the current one too): its refresh token and access tokens stop working.",
  })
  @ApiNoContentResponse({ description: 'The session is ended' })
  @ApiError(HttpStatus.NOT_FOUND, 'Session not found.')
  async end(@CurrentUser() principal: Principal, @Param('id') id: string, @Client() client: ClientInfo): Promise<void> {
    await this.sessions.end(principal, id, client);
  }

  @Post('global-sign-out')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Sign out everywhere',
    description: 'Ends every session of the caller, the current one included.',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'Every session is ended' })
  // No body is needed, but one that is sent is parsed as any JSON POST's.
  @ApiErrors(...JSON_BODY_ERRORS)
  async signOutEverywhere(
    @CurrentUser() principal: Principal,
    @Client() client: ClientInfo,
  ): Promise<MessageResponseDto> {
    await this.sessions.signOutEverywhere(principal, client);
    return messageResponse('Signed out of every session.');
  }
}
