import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/api-errors.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import type { AccessTokenClaims } from '../tokens/access-tokens.service';
import { toUserProfile, UserProfileResponseDto } from './dto/user-profile-response.dto';
import { UsersService } from './users.service';

@ApiTags('Account')
@Controller('v1')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: "The caller's profile", description: 'Who the access token belongs to.' })
  @ApiOkResponse({ type: UserProfileResponseDto, description: 'The account the access token belongs to' })
  async me(@CurrentUser() claims: AccessTokenClaims): Promise<UserProfileResponseDto> {
    return toUserProfile(await this.users.getById(claims.sub));
  }
}
