import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiError, ApiErrors, JSON_BODY_ERRORS } from '../common/decorators/api-errors.decorator';
import { ErrorCode } from '../common/errors/error-code';
import { Client, ClientInfo } from '../common/http/client-info';
import { Actor, AdminApi } from './admin-api.decorator';
import { LAST_ADMIN, USER_NOT_FOUND, USERNAME_PARAM } from './admin-docs';
import type { AdminActor } from './admin-actor';
import { AdminUsersService } from './admin-users.service';
import { AdminUserListResponseDto, AdminUserResponseDto, toAdminUser } from './dto/admin-user-response.dto';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';

@Controller('v1/admin/users')
@AdminApi()
export class AdminUsersController {
  constructor(private readonly admin: AdminUsersService) {}

  @Get()
  @ApiOperation({
    summary: 'List users',
    description:
      'In username order, a page at a time: pass `next_cursor` back as `cursor` until it is null. ' +
      '`query` matches a username prefix or a part of the email.',
  })
  @ApiOkResponse({ type: AdminUserListResponseDto, description: 'One page of users' })
  @ApiError(HttpStatus.BAD_REQUEST, 'limit must be an integer from 1 to 100')
  async list(@Query() query: ListUsersQuery): Promise<AdminUserListResponseDto> {
    const page = await this.admin.list(query);
    return { users: page.users.map(toAdminUser), next_cursor: page.nextCursor };
  }

  @Post()
  @ApiOperation({
    summary: 'Create a user',
    description:
      'With `password` the password is final; with `temporary_password` the first login answers ' +
      'NEW_PASSWORD_REQUIRED; with neither, a temporary password is generated and mailed to the user (never answered).',
  })
  @ApiCreatedResponse({ type: AdminUserResponseDto, description: 'The new user' })
  @ApiError(HttpStatus.CONFLICT, 'A user named "alice" already exists', ErrorCode.UsernameExists)
  @ApiErrors(...JSON_BODY_ERRORS)
  async create(
    @Body() dto: CreateUserDto,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.admin.create(dto, actor, client));
  }

  @Get(':username')
  @ApiParam(USERNAME_PARAM)
  @ApiOperation({
    summary: 'One user',
    description: 'The account of that name (in any letter case), as operators see it.',
  })
  @ApiOkResponse({ type: AdminUserResponseDto, description: 'The user' })
  @ApiError(...USER_NOT_FOUND)
  async get(@Param('username') username: string): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.admin.find(username));
  }

  @Patch(':username')
  @ApiParam(USERNAME_PARAM)
  @ApiOperation({
    summary: 'Change a user',
    description: 'The email, the role, or both. Taking `admin` from the last active admin is refused.',
  })
  @ApiOkResponse({ type: AdminUserResponseDto, description: 'The user, changed' })
  @ApiError(...USER_NOT_FOUND)
  @ApiError(...LAST_ADMIN)
  @ApiErrors(...JSON_BODY_ERRORS)
  async update(
    @Param('username') username: string,
    @Body() dto: UpdateUserDto,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUser(await this.admin.update(username, dto, actor, client));
  }

  @Delete(':username')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam(USERNAME_PARAM)
  @ApiOperation({
    summary: 'Delete a user',
    description: 'Every session ends; the audit trail keeps its events, and the name can be taken again.',
  })
  @ApiNoContentResponse({ description: 'The user is deleted' })
  @ApiError(...USER_NOT_FOUND)
  @ApiError(...LAST_ADMIN)
  async delete(
    @Param('username') username: string,
    @Actor() actor: AdminActor,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.admin.delete(username, actor, client);
  }
}
