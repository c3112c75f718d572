import { countChatTokens, countTokens, encodingForModel } from './tokens';

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
    // Reference counts from OpenAI's tiktoken for the same strings.
    expect(countTokens('hello world', 'gpt-4o')).toBe(2);
    expect(countTokens('tiktoken is great!', 'gpt-4')).toBe(6);
    expect(countTokens('tiktoken is great!', 'gpt-4o')).toBe(5);
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
      3 + 3 + countTokens('user', 'gpt-4o') + countTokens('hi', 'gpt-4o') + 1 + countTokens('ann', 'gpt-4o'),
    );
  });
});
