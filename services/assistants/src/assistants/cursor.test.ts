import { decodeCursor, encodeCursor } from './cursor';

describe('page cursors', () => {
  it('round-trip the listing key, with and without a rank', () => {
    expect(decodeCursor(encodeCursor({ seq: '42' }))).toEqual({ seq: '42' });
    expect(decodeCursor(encodeCursor({ seq: '7', rank: 0.0607927 }))).toEqual({
      seq: '7',
      rank: 0.0607927,
    });
  });

  it('refuse anything that is not a cursor this service made', () => {
    expect(decodeCursor('not-base64-json')).toBeNull();
    expect(decodeCursor(Buffer.from('[1,2]').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('{"seq":"1; drop table"}').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('{"seq":"1","rank":"high"}').toString('base64url'))).toBeNull();
  });
});
