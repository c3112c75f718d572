import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countChatTokens, countTokens, encodingForModel, tokenPieces } from './tokens';

describe('token counting', () => {
  it('picks the encoding of the model family', () => {
    expect(encodingForModel('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingForModel('gpt-5')).toBe('o200k_base');
    expect(encodingForModel('o3-mini')).toBe('o200k_base');
    expect(encodingForModel('gpt-4')).toBe('cl100k_base');
    expect(encodingForModel('gpt-3.5-turbo-instruct')).toBe('cl100k_base');
    expect(encodingForModel('text-davinci-003')).toBe('p50k_base');
    expect(encodingForModel('openai/gpt-4o')).toBe('o200k_base');
    expect(encodingForModel('some-unknown-model')).toBe('o200k_base');
  });

  it('counts with the real byte-pair encodings', () => {
    // Token ids from OpenAI's cookbook ("How to count tokens with tiktoken") for this string.
    expect(encodeCl100k('tiktoken is great!')).toEqual([83, 1609, 5963, 374, 2294, 0]);
    expect(encodeO200k('tiktoken is great!')).toEqual([83, 8251, 2488, 382, 2212, 0]);
    expect(countTokens('tiktoken is great!', 'gpt-4')).toBe(6);
    expect(countTokens('tiktoken is great!', 'gpt-4o')).toBe(6);
    expect(countTokens('hello world', 'gpt-4o')).toBe(2);
    expect(countTokens('', 'gpt-4o')).toBe(0);
  });

  it('adds the chat framing OpenAI bills for', () => {
    const messages = [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'hello world' },
    ];
    const content = messages.reduce(
      (n, m) => n + countTokens(m.role, 'gpt-4o') + countTokens(m.content, 'gpt-4o'),
      0,
    );
    expect(countChatTokens(messages, 'gpt-4o')).toBe(content + 3 * messages.length + 3);
    expect(countChatTokens([{ role: 'user', content: 'hi', name: 'ann' }], 'gpt-4o')).toBe(
      3 +
        3 +
        countTokens('user', 'gpt-4o') +
        countTokens('hi', 'gpt-4o') +
        1 +
        countTokens('ann', 'gpt-4o'),
    );
  });
});

describe('tokenPieces', () => {
  it('spells a text token by token, with each token’s bytes, as the model’s encoding splits it', () => {
    const text = 'The same request always produces the same words.';
    const pieces = tokenPieces(text, 'gpt-4o-mini');
    expect(pieces).toHaveLength(countTokens(text, 'gpt-4o-mini'));
    expect(pieces.map((p) => p.token).join('')).toBe(text);
    expect(pieces[1]).toEqual({ token: ' same', bytes: [...Buffer.from(' same')] });
    // Another family, another split of the same text.
    expect(
      tokenPieces(text, 'text-davinci-003')
        .map((p) => p.token)
        .join(''),
    ).toBe(text);
  });
});
