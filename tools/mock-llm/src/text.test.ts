import { countTokens } from '@lab/conversation';
import { parseDirective } from './directive';
import {
  applyStop,
  deterministicReply,
  partialLeak,
  partialLeakReply,
  sentenceSpans,
  splitDeltas,
  truncateToTokens,
} from './text';
import { validateBehaviour } from './validate';

describe('splitDeltas', () => {
  it('splits into words with their leading whitespace, concatenating back exactly', () => {
    expect(splitDeltas('Hello brave  new\nworld. ')).toEqual([
      'Hello',
      ' brave',
      '  new',
      '\nworld.',
      ' ',
    ]);
    for (const text of ['', '   ', ' lead', 'a', 'one two three', 'tab\tsep\n\nlines']) {
      expect(splitDeltas(text).join('')).toBe(text);
    }
  });
});

describe('applyStop', () => {
  it('cuts before the earliest stop sequence, ignoring empty ones', () => {
    expect(applyStop('a b STOP c END d', ['END', 'STOP'])).toEqual({
      text: 'a b ',
      stopped: true,
    });
    expect(applyStop('nothing here', ['', 'zzz'])).toEqual({
      text: 'nothing here',
      stopped: false,
    });
    expect(applyStop('STOP first', ['STOP']).text).toBe('');
  });
});

describe('truncateToTokens', () => {
  const text = 'The quick brown fox jumps over the lazy dog near the riverbank today.';

  it('keeps a text that fits', () => {
    expect(truncateToTokens(text, 100, 'gpt-4o')).toEqual({ text, truncated: false });
  });

  it('returns the longest prefix within the budget', () => {
    for (const max of [1, 3, 5, 8]) {
      const cut = truncateToTokens(text, max, 'gpt-4o');
      expect(cut.truncated).toBe(true);
      expect(text.startsWith(cut.text)).toBe(true);
      expect(countTokens(cut.text, 'gpt-4o')).toBeLessThanOrEqual(max);
      // One more character would not fit any more (or the text is whole words already full).
      expect(countTokens(text.slice(0, cut.text.length + 1), 'gpt-4o')).toBeGreaterThan(max);
    }
  });

  it('cuts inside a word that alone exceeds the budget', () => {
    const cut = truncateToTokens('Supercalifragilisticexpialidocious', 2, 'gpt-4o');
    expect(cut.text.length).toBeGreaterThan(0);
    expect(countTokens(cut.text, 'gpt-4o')).toBeLessThanOrEqual(2);
  });
});

describe('deterministicReply', () => {
  it('quotes the message and adds three sentences picked by the hash', () => {
    const a = deterministicReply('  What   is this?  ', ['user', 'What is this?']);
    expect(a).toMatch(/^Mock reply to "What is this\?"\. \S/);
    expect(a.split(/(?<=\.) /)).toHaveLength(4);
    expect(deterministicReply('  What   is this?  ', ['user', 'What is this?'])).toBe(a);
    const replies = new Set(
      Array.from({ length: 20 }, (_, i) => deterministicReply('q', ['user', `q${i}`])),
    );
    expect(replies.size).toBeGreaterThan(5);
    expect(deterministicReply('', [])).toMatch(/^Mock reply\. /);
  });

  it('shortens a long quote', () => {
    const reply = deterministicReply('word '.repeat(100), ['x']);
    expect(reply).toMatch(/^Mock reply to "(word ){10,}word…"\./);
  });
});

describe('prompt leaks', () => {
  it('finds sentences ended by punctuation or line breaks', () => {
    const text = 'First one. Second one!\nThird line\nFourth? Fifth';
    expect(sentenceSpans(text).map(([s, e]) => text.slice(s, e))).toEqual([
      'First one.',
      'Second one!',
      'Third line',
      'Fourth?',
      'Fifth',
    ]);
  });

  it('leaks consecutive sentences from the middle, verbatim', () => {
    const prompt = 'S1 a. S2 b.  S3 c.\nS4 d. S5 e. S6 f.';
    expect(partialLeak(prompt, 2)).toBe('S3 c.\nS4 d.');
    expect(partialLeak(prompt, 1)).toBe('S3 c.');
    expect(partialLeak(prompt, 4)).toBe('S2 b.  S3 c.\nS4 d. S5 e.');
  });

  it('never leaks a whole prompt of several sentences', () => {
    expect(partialLeak('Only one. And two.', 2)).toBe('Only one.');
    expect(partialLeak('A single sentence of eight words in it', 2)).toBe('A single sentence of');
    expect(partialLeak('', 2)).toBe('');
  });

  it('embeds the leak between harmless sentences', () => {
    const reply = partialLeakReply('S1 a. S2 b. S3 c. S4 d.', 2);
    expect(reply).toContain(' S2 b. S3 c. ');
    expect(reply).not.toContain('S1');
    expect(reply).not.toContain('S4');
  });
});

describe('parseDirective', () => {
  it('parses the JSON and removes the directive from the text', () => {
    expect(parseDirective('Hi [[mock {"fault":"rate_limit","retryAfter":2}]] there')).toEqual({
      found: true,
      behaviour: { fault: 'rate_limit', retryAfter: 2 },
      text: 'Hi there',
    });
    expect(parseDirective('[[mock   {"reply":"x }]] {"} ]]')).toEqual({
      found: true,
      behaviour: { reply: 'x }]] {' },
      text: '',
    });
    expect(parseDirective('no directive [[mocking]]')).toEqual({ found: false });
  });

  it('explains a malformed directive', () => {
    const errors = [
      '[[mock reply=x]]',
      '[[mock {"reply":"x"}',
      '[[mock {"reply":"x"} ]',
      '[[mock {reply:1}]]',
      '[[mock {"fault":"explode"}]]',
      '[[mock {"match":"x"}]]',
    ].map((text) => parseDirective(text));
    for (const result of errors) {
      expect(result).toMatchObject({ found: true, error: expect.any(String) as string });
    }
  });
});

describe('validateBehaviour', () => {
  it('accepts the documented fields and rejects the rest', () => {
    expect(
      validateBehaviour(
        { match: 'm', times: 2, persistent: false, reply: 'r', fault: 'server_error', status: 503 },
        true,
      ),
    ).toEqual({
      match: 'm',
      times: 2,
      persistent: false,
      reply: 'r',
      fault: 'server_error',
      status: 503,
    });
    expect(validateBehaviour({ status: 404 }, true)).toMatch(/5xx/);
    expect(validateBehaviour({ times: 1.5 }, true)).toMatch(/times/);
    expect(validateBehaviour({ latencyMs: '5' }, true)).toMatch(/latencyMs/);
    expect(validateBehaviour({ match: '' }, true)).toMatch(/match/);
    expect(validateBehaviour({ times: 1 }, false)).toMatch(/unknown field "times"/);
    expect(validateBehaviour([], true)).toMatch(/object/);
  });
});
