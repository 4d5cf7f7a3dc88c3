import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsUsername } from '../../users/username';

/**
 * The longest password a request may carry, in UTF-16 code units. Every password the policy
 * allows (MAX_PASSWORD_LENGTH code points, at most twice that in units) fits, so a new password
 * too long for the policy but within this cap gets the policy's message.
 */
const PASSWORD_FIELD_MAX_LENGTH = 1024;

/*
 * The field decorators the request DTOs share. Each field's description and example stay in its
 * doc comment, where the Swagger CLI plugin reads them; the class-validator rules inside these
 * decorators the plugin cannot see, so each decorator states their schema with ApiProperty. Each
 * also declares its field to Swagger when that adds nothing (UsernameField): declared fields come
 * first in the schema, so the schema lists a DTO's fields in source order only if all are declared.
 */

/**
 * A required string of 1 to `maxLength` UTF-16 code units. With stopAtFirstError only the first
 * rule that fails is reported, so the order matters: a number gets "must be a string", not a
 * length message. applyDecorators applies its list first to last, the reverse of a stack.
 */
function NonEmptyString(maxLength: number): PropertyDecorator {
  return applyDecorators(IsString(), MaxLength(maxLength), IsNotEmpty(), ApiProperty({ maxLength }));
}

/** An account name, matched case-insensitively (see IsUsername). */
export function UsernameField(): PropertyDecorator {
  return applyDecorators(IsUsername(), ApiProperty());
}

/** A password as typed, current or new; the password policy judges new ones after validation. */
export function PasswordField(): PropertyDecorator {
  return NonEmptyString(PASSWORD_FIELD_MAX_LENGTH);
}

/** A token, session or code the service issued, at most `maxLength` characters long. */
export function TokenField(maxLength: number): PropertyDecorator {
  return NonEmptyString(maxLength);
}
