import { newShareCode, normaliseShareCode, SHARE_CODE_LENGTH } from './share-code';

describe('share codes', () => {
  it('are 8 characters of Crockford base32 and differ between assistants', () => {
    const codes = new Set(Array.from({ length: 500 }, () => newShareCode()));
    expect(codes.size).toBe(500);
    for (const code of codes)
      expect(code).toMatch(new RegExp(`^[0-9A-HJKMNP-TV-Z]{${SHARE_CODE_LENGTH}}$`));
  });

  it('normalise what people type', () => {
    expect(normaliseShareCode('ab12-cd34')).toBe('AB12CD34');
    expect(normaliseShareCode('  x0o1 il9z ')).toBe('X001119Z');
    expect(normaliseShareCode('SHORT')).toBeNull();
    expect(normaliseShareCode('ABCDEFGU')).toBeNull();
  });
});
