import { findTextProblem, jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody } from './json-body';

const refusal = (bytes: Buffer | string) => {
  try {
    parseJsonBody(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
    return null;
  } catch (error) {
    return (error as { body: { error: { code: string } } }).body.error.code;
  }
};

describe('JSON bodies a hostile client sends', () => {
  it('measures nesting before parsing, ignoring brackets inside strings', () => {
    expect(jsonDepthExceeds('[[[]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[[[\\"[[["}', 1)).toBe(false);
    expect(refusal(`{"a":${'['.repeat(2000)}${']'.repeat(2000)}}`)).toBe('too_deep');
    expect(refusal(`${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}`)).toBeNull();
  });

  it('refuses invalid UTF-8, lone surrogates and NUL, keys included', () => {
    expect(refusal(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]))).toBe(
      'invalid_utf8',
    );
    expect(refusal('{"a":"x\\ud800"}')).toBe('invalid_text');
    expect(refusal('{"a":["ok","\\udc00"]}')).toBe('invalid_text');
    expect(refusal('{"a\\u0000":1}')).toBe('invalid_text');
    expect(refusal('{"a":"\\u0000"}')).toBe('invalid_text');
    expect(refusal('{"a":"😀 \\ud83d\\ude00"}')).toBeNull();
    expect(findTextProblem({ a: [{ b: 'x\u0000' }] })?.field).toBe('a[0].b');
  });

  it('wants an object: arrays, scalars and malformed text are malformed_json', () => {
    expect(refusal('[1]')).toBe('malformed_json');
    expect(refusal('"x"')).toBe('malformed_json');
    expect(refusal('{"a":')).toBe('malformed_json');
    expect(parseJsonBody(Buffer.from(''))).toEqual({});
  });
});
