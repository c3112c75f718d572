import { SENTENCE_LOOKAHEAD, isSpace, sentenceBoundaries, splitSentences } from './sentences';

/** Deterministic PRNG (mulberry32) so property tests are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  'Hello there.',
  ' ',
  '  ',
  '\n',
  '\n\n',
  '\t',
  'Mr. Smith',
  'e.g. this',
  'Dr.',
  '3.14',
  '...',
  '…',
  '?!',
  '"Quoted."',
  '(aside.)',
  '- item',
  '1. First',
  '12) twelfth',
  '# Heading',
  '| a | b |',
  'No. 5',
  'No.',
  'J. R. R. Tolkien',
  'etc.',
  'lower',
  'Upper',
  'é',
  '😀',
  '東京。',
  'U.S.',
  'ok!',
  'why?',
  '\r\n',
];

function randomText(next: () => number): string {
  let text = '';
  const pieces = 1 + Math.floor(next() * 40);
  for (let i = 0; i < pieces; i++) text += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
  return text;
}

describe('splitSentences', () => {
  it('splits after terminators followed by whitespace, keeping the whitespace', () => {
    expect(splitSentences("Hello world. How are you? I'm fine! Thanks")).toEqual([
      'Hello world. ',
      'How are you? ',
      "I'm fine! ",
      'Thanks',
    ]);
    expect(splitSentences('One.  \n Two.\n')).toEqual(['One.  \n ', 'Two.\n']);
    expect(splitSentences('  Leading space. Next.')).toEqual(['  Leading space. ', 'Next.']);
  });

  it('handles runs of terminators and closing quotes or brackets', () => {
    expect(splitSentences('Really?! Yes... Wait… No!!! Done.')).toEqual([
      'Really?! ',
      'Yes... ',
      'Wait… ',
      'No!!! ',
      'Done.',
    ]);
    expect(splitSentences('He said "Stop!" Then he left. (See above.) Next, **done.** Ok')).toEqual(
      ['He said "Stop!" ', 'Then he left. ', '(See above.) ', 'Next, **done.** ', 'Ok'],
    );
    expect(splitSentences('She said “Fine.” Then left.')).toEqual([
      'She said “Fine.” ',
      'Then left.',
    ]);
  });

  it('does not split on abbreviations, initials, numbering or decimals', () => {
    expect(
      splitSentences('Mr. Smith met Dr. Jones at St. Mary’s, e.g. at 3 p.m. on Tuesday.'),
    ).toHaveLength(1);
    expect(splitSentences('Use a list, i.e. Bullets work. Compare A vs. B today.')).toEqual([
      'Use a list, i.e. Bullets work. ',
      'Compare A vs. B today.',
    ]);
    expect(splitSentences('J. R. R. Tolkien wrote it. The U.S. Army agreed.')).toEqual([
      'J. R. R. Tolkien wrote it. ',
      'The U.S. Army agreed.',
    ]);
    expect(splitSentences('Pi is 3.14 today. Version 1.2.3 is out at example.com now.')).toEqual([
      'Pi is 3.14 today. ',
      'Version 1.2.3 is out at example.com now.',
    ]);
    expect(splitSentences('See No. 5 on p. 12 and Fig. 3 for details.')).toHaveLength(1);
    expect(splitSentences('No. I refuse.')).toEqual(['No. ', 'I refuse.']);
    expect(splitSentences('It costs approx. five dollars. Smith et al. found it.')).toEqual([
      'It costs approx. five dollars. ',
      'Smith et al. found it.',
    ]);
    // Lowercase continuation: an unknown abbreviation or a trailing-off ellipsis.
    expect(splitSentences('Wait... what happened? Bring pens, paper etc. and snacks.')).toEqual([
      'Wait... what happened? ',
      'Bring pens, paper etc. and snacks.',
    ]);
    // "etc." before a capitalised word ends the sentence.
    expect(splitSentences('Bring pens, paper, etc. Then we start.')).toEqual([
      'Bring pens, paper, etc. ',
      'Then we start.',
    ]);
  });

  it('splits on blank lines and on line breaks around list items, headings and table rows', () => {
    expect(splitSentences('Title\n\nBody text here\n\n\nMore')).toEqual([
      'Title\n\n',
      'Body text here\n\n\n',
      'More',
    ]);
    expect(splitSentences('Here are tips:\n- Sleep well\n- Drink water\n\nDone.')).toEqual([
      'Here are tips:\n',
      '- Sleep well\n',
      '- Drink water\n\n',
      'Done.',
    ]);
    expect(splitSentences('Steps:\n1. Open the app.\n2. Click save\n  3) Quit now')).toEqual([
      'Steps:\n',
      '1. Open the app.\n',
      '2. Click save\n  ',
      '3) Quit now',
    ]);
    expect(splitSentences('# Plan\nIntro line\n| a | b |\n| 1 | 2 |')).toEqual([
      '# Plan\n',
      'Intro line\n',
      '| a | b |\n',
      '| 1 | 2 |',
    ]);
    // A line wrapped mid-sentence is not a boundary.
    expect(splitSentences('This line is wrapped\nin the middle of a sentence.')).toHaveLength(1);
  });

  it('covers edge inputs', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('   \n ')).toEqual(['   \n ']);
    expect(splitSentences('No terminator')).toEqual(['No terminator']);
    expect(splitSentences('\n\nStarts with blank lines. Ok')).toEqual([
      '\n\nStarts with blank lines. ',
      'Ok',
    ]);
  });

  it('always concatenates back to the input (1000 random texts)', () => {
    const next = rng(1);
    for (let i = 0; i < 1000; i++) {
      const text = randomText(next);
      const sentences = splitSentences(text);
      expect(sentences.join('')).toBe(text);
      // Only a text of nothing but whitespace has a blank sentence.
      if (text.trim() !== '')
        for (const sentence of sentences) expect(sentence.trim()).not.toBe('');
    }
  });

  it('splits a prefix like the finished text once SENTENCE_LOOKAHEAD more characters arrive', () => {
    const next = rng(2);
    for (let i = 0; i < 150; i++) {
      const text = randomText(next);
      const full = sentenceBoundaries(text);
      for (let length = 0; length <= text.length; length++) {
        const prefix = text.slice(0, length);
        const settled = sentenceBoundaries(prefix).filter(
          (end) => end + SENTENCE_LOOKAHEAD <= length,
        );
        expect(settled).toEqual(full.filter((end) => end + SENTENCE_LOOKAHEAD <= length));
        // Scanning from a settled boundary finds the same later boundaries.
        const from = settled.at(-1);
        if (from !== undefined) {
          expect(sentenceBoundaries(prefix, from)).toEqual(
            sentenceBoundaries(prefix).filter((end) => end > from),
          );
        }
      }
    }
  });
});

describe('isSpace', () => {
  it("is JavaScript's \\s over the whole Basic Multilingual Plane", () => {
    const differ: number[] = [];
    for (let code = 0; code < 0x10000; code++)
      if (isSpace(code) !== /\s/u.test(String.fromCharCode(code))) differ.push(code);
    expect(differ).toEqual([]);
  });
});
