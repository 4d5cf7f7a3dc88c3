import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/api-errors.decorator';
import type { Principal } from '../auth/principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { toUserProfile, UserProfileResponseDto } from './dto/user-profile-response.dto';

@ApiTags('Account')
@Controller('v1')
export class UsersController {
  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: "The caller's profile", description: 'Who the access token belongs to.' })
  @ApiOkResponse({ type: UserProfileResponseDto, description: 'The account the access token belongs to' })
  me(@CurrentUser() { user }: Principal): UserProfileResponseDto {
    return toUserProfile(user);
  }
}
