import type { TokenLogprob } from '@lab/contracts';
import { ReleasedTokens } from './call-model';

const token = (text: string): TokenLogprob => ({
  token: text,
  logprob: -0.1,
  bytes: [...Buffer.from(text, 'utf8')],
  top_logprobs: [],
});

describe('ReleasedTokens', () => {
  it('hands out the tokens a released text covers, never one ahead of it', () => {
    const tokens = new ReleasedTokens();
    tokens.add(['Hello', ' there', '.', ' How', ' are', ' you', '?'].map(token));
    // The sentence's trailing space belongs to the next token: it waits for its word.
    expect(tokens.release('Hello there. ').map((t) => t.token)).toEqual(['Hello', ' there', '.']);
    expect(tokens.release('How are').map((t) => t.token)).toEqual([' How', ' are']);
    expect(tokens.release(' you?', true).map((t) => t.token)).toEqual([' you', '?']);
  });

  it('counts bytes, so a token ending inside a character waits for the rest of it', () => {
    const tokens = new ReleasedTokens();
    const bytes = [...Buffer.from('é', 'utf8')];
    tokens.add([
      { ...token('\uFFFD'), bytes: bytes.slice(0, 1) },
      { ...token('\uFFFD'), bytes: bytes.slice(1) },
    ]);
    expect(tokens.release('')).toEqual([]);
    expect(tokens.release('é')).toHaveLength(2);
  });

  it('gives the rest on the last release only', () => {
    const tokens = new ReleasedTokens();
    tokens.add([token('Done'), token('\n')]);
    expect(tokens.release('Done')).toHaveLength(1);
    expect(tokens.release('', true)).toHaveLength(1);
  });
});
