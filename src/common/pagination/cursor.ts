import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/**
 * A list's position, opaque to clients: the sort key of the last item returned, so the next
 * page starts after it with an index range instead of skipping rows. Not signed: a forged one
 * only moves the caller elsewhere in a list it may read anyway.
 */
export function encodeCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export const invalidCursor = () => new ApiException(ErrorCode.InvalidParameter, 'cursor is not valid');

/**
 * One page out of the `limit + 1` rows a list read: the extra row only tells that another page
 * follows, whose cursor is the key of this page's last item.
 */
export function pageOf<T>(
  rows: T[],
  limit: number,
  keyOf: (last: T) => string[],
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null };
}

/** 400 for anything encodeCursor did not make with `size` parts. */
export function decodeCursor(cursor: string, size: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid = Array.isArray(key) && key.length === size && key.every((part) => typeof part === 'string');
  if (!valid) throw invalidCursor();
  return key as string[];
}

/** The query parameter `limit`: 1 to 100, 50 when absent. */
export function LimitField(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt({ message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` }),
    Min(1, { message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` }),
    Max(MAX_PAGE_SIZE, { message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` }),
    ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
  );
}

/** The query parameter `cursor`: a list answer's `next_cursor`. */
export function CursorField(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsString(),
    MaxLength(1024),
    IsNotEmpty(),
    ApiPropertyOptional({ description: "The previous page's `next_cursor`." }),
  );
}
