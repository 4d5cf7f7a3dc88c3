import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { Role } from '../../users/entities/user.entity';

/**
 * `["user"]` or `["admin"]`: an account holds exactly one role, as the CLI and the contract
 * create them (the last-admin rule's index relies on it).
 */
export function RolesField(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsArray(),
    ArrayMinSize(1, { message: 'roles must be ["user"] or ["admin"]' }),
    ArrayMaxSize(1, { message: 'roles must be ["user"] or ["admin"]' }),
    IsIn(Object.values(Role), { each: true, message: 'roles must be ["user"] or ["admin"]' }),
    ApiPropertyOptional({ type: [String], enum: Role, example: ['user'], minItems: 1, maxItems: 1 }),
  );
}
