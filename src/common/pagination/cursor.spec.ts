import { ApiException } from '../errors/api.exception';
import { decodeCursor, encodeCursor } from './cursor';

describe('list cursors', () => {
  it('decodes what it encodes, whatever the key holds', () => {
    const key = ['2026-12-01T10:00:00.000Z', 'ü-ß "quoted", comma'];
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor, 2)).toEqual(key);
  });

  it.each([
    ['not base64url JSON', 'not a cursor!'],
    ['JSON that is no array', Buffer.from('{"a":1}').toString('base64url')],
    ['an array of the wrong size', encodeCursor(['one'])],
    ['an array of non-strings', Buffer.from('[1,2]').toString('base64url')],
    ['empty', ''],
  ])('refuses %s with a 400', (_what, cursor) => {
    expect(() => decodeCursor(cursor, 2)).toThrow(ApiException);
    expect(() => decodeCursor(cursor, 2)).toThrow('cursor is not valid');
  });
});
