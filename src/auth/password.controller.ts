import { Body, Controller, Headers, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiErrors, JSON_BODY_ERRORS, OptionalBearer } from '../common/decorators/api-errors.decorator';
import { Public } from '../common/decorators/public.decorator';
import { MessageResponseDto, messageResponse } from '../common/dto/message-response.dto';
import { invalidAccessToken } from '../common/errors/api.exception';
import { bearerCredential } from '../common/http/bearer';
import { Client, ClientInfo } from '../common/http/client-info';
import { ChangePasswordDto } from './dto/change-password.dto';
import { ConfirmForgotPasswordDto } from './dto/confirm-forgot-password.dto';
import { ForgotPasswordDto } from './dto/forgot-password.dto';
import { PasswordChangeService } from './password-change.service';
import { PasswordResetService } from './password-reset.service';

@ApiTags('Password')
@Public()
@UseGuards(ThrottlerGuard)
@Controller('v1')
@ApiErrors(...JSON_BODY_ERRORS)
export class PasswordController {
  constructor(
    private readonly resets: PasswordResetService,
    private readonly changes: PasswordChangeService,
  ) {}

  @Post('forgot-password')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Forgot Password',
    description:
      "By receiving username sends confirmation code that is required to change the user's password (look into " +
      '/v1/forgot-password-confirm). Answers the same whether or not the user exists.',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The same answer whether or not the user exists' })
  @ApiErrors(HttpStatus.TOO_MANY_REQUESTS)
  async forgot(@Body() dto: ForgotPasswordDto, @Client() client: ClientInfo): Promise<MessageResponseDto> {
    await this.resets.request(dto.username, client);
    return messageResponse('If the account exists, a confirmation code has been sent to its email address.');
  }

  @Post('forgot-password-confirm')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Forgot Password Confirmation',
    description:
      'By receiving username, new password and confirmation code (see /v1/forgot-password) changes user password. ' +
      'Every session of the user is signed out.',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The password is reset' })
  @ApiErrors(HttpStatus.TOO_MANY_REQUESTS)
  async confirm(@Body() dto: ConfirmForgotPasswordDto, @Client() client: ClientInfo): Promise<MessageResponseDto> {
    await this.resets.confirm(dto, client);
    return messageResponse('Password has been reset.');
  }

  @Post('change-password')
  @HttpCode(HttpStatus.OK)
  @OptionalBearer()
  @ApiOperation({
    summary: 'Change Password',
    description:
      'Changes user password by receiving access token, previous password, and proposed password. The access token ' +
      'may come in the body or as Authorization: Bearer. Every other session of the user is signed out.',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The password is changed' })
  @ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.TOO_MANY_REQUESTS)
  async change(
    @Body() dto: ChangePasswordDto,
    @Client() client: ClientInfo,
    @Headers('authorization') authorization?: string,
  ): Promise<MessageResponseDto> {
    const access_token = dto.access_token ?? bearerCredential(authorization);
    if (!access_token) throw invalidAccessToken();
    await this.changes.change({ ...dto, access_token }, client);
    return messageResponse('Password changed.');
  }
}
