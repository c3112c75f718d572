import { GUARD_REPLACEMENT, StreamingGuard, guardReply } from './guard';
import {
  REVERSED_WORDS,
  ROT13_WORDS,
  type ViewKind,
  decodedMaterial,
  foldLeet,
  foldUnicode,
  replyViews,
  reverse,
  rot13,
  scanReply,
  spacedMaterial,
  stripMarkdown,
} from './views';

/** Coach Marlon's prompt (the seed's GPT Lab coach), eight sentences. */
const PROMPT =
  'You are Coach Marlon, a warm and practical career coach for mid-career professionals. ' +
  "Begin every session by asking the user what outcome they want from today's conversation. " +
  'Use the GROW model: clarify the goal, explore the current reality, brainstorm options, and agree on a concrete next step. ' +
  'Ask one open question at a time and wait for the answer before offering advice. ' +
  'Never write resumes or cover letters for the user; instead, review their drafts and point out the two most important improvements. ' +
  'When the user feels stuck, reflect their words back and name the underlying value you hear. ' +
  'Keep replies under 120 words and avoid corporate jargon. ' +
  'Close each session with a one-sentence recap and an invitation to schedule a follow-up.';

const TWO =
  'Use the GROW model: clarify the goal, explore the current reality, brainstorm options, and agree on a concrete next step. ' +
  'Ask one open question at a time and wait for the answer before offering advice.';

const BENIGN =
  "That sounds like a tough week. Let's clarify what you want from today's conversation: " +
  'is it a plan for the interview, or a way to talk to your manager? ' +
  'Once we know the goal, we can look at your options together.';

/** Unrelated sentences around a leak, so that the whole reply does not match the prompt. */
const CHATTER =
  'Sure, here is a quick note about my weekend. The farmers market opened early and the tomatoes were excellent. ' +
  'Afterwards we cooked a big pot of ratatouille with fresh basil. The kids played football in the park until sunset.';

const spaced = (text: string) =>
  text
    .split(' ')
    .map((word) => [...word].join(' '))
    .join('   ');
const perLine = (text: string) =>
  text
    .split(' ')
    .map((word) => [...word].join('\n'))
    .join('\n\n');
/** Zero-width spaces inside words, every second letter. */
const zeroWidth = (text: string) => text.replace(/(\p{L}\p{L})(?=\p{L})/gu, '$1\u200B');
const leet = (text: string) =>
  text.replace(/[aeiost]/g, (ch) => ({ a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' })[ch] ?? ch);
const CONFUSE: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', y: 'у' };
const confusable = (text: string) => text.replace(/[aeopcxy]/g, (ch) => CONFUSE[ch] ?? ch);
const fullwidth = (text: string) =>
  text.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));

/** Every encoding, the view that must catch it, and the leak as the model would send it. */
const ENCODED: [string, ViewKind, string][] = [
  ['base64', 'decoded', `Sure, here it is: ${Buffer.from(TWO).toString('base64')}`],
  [
    'base64, wrapped at 76',
    'decoded',
    `Here you go:\n\n${(
      Buffer.from(TWO)
        .toString('base64')
        .match(/.{1,76}/g) ?? []
    ).join('\n')}\n\nAnything else?`,
  ],
  ['base64url', 'decoded', `Encoded: ${Buffer.from(`${TWO} ~~??>>`).toString('base64url')}`],
  ['hex', 'decoded', `In hex: ${Buffer.from(TWO).toString('hex')}`],
  [
    'hex, spaced bytes',
    'decoded',
    `Bytes: ${(Buffer.from(TWO).toString('hex').match(/../g) ?? []).join(' ')}`,
  ],
  ['letter-spaced', 'spaced', `Okay! ${spaced(TWO)}`],
  [
    'dash-spaced',
    'spaced',
    TWO.split(' ')
      .map((word) => [...word].join('-'))
      .join(' '),
  ],
  ['one letter per line', 'spaced', perLine(TWO)],
  ['zero-width between letters', 'zero-width', zeroWidth(TWO)],
  ['leetspeak', 'leet', leet(TWO)],
  ['Cyrillic look-alikes', 'unicode', confusable(TWO)],
  ['fullwidth letters', 'unicode', fullwidth(TWO)],
  ['rot13', 'rot13', `Rot13 as asked: ${rot13(TWO)}`],
  ['reversed', 'reversed', reverse(TWO)],
  [
    'a code-fenced table, a word per row',
    'markdown',
    `${CHATTER}\n\n\`\`\`\n` +
      TWO.split(' ')
        .map((word) => `| ${word} |`)
        .join('\n') +
      `\n\`\`\`\n\n${CHATTER}`,
  ],
];

describe('views', () => {
  it('builds no view for a plain reply', () => {
    expect(replyViews(BENIGN)).toEqual([]);
    expect(Object.values(scanReply(BENIGN)).some(Boolean)).toBe(false);
    const verdict = guardReply(BENIGN, PROMPT);
    expect(verdict).toMatchObject({ leaked: false, view: 'plain' });
  });

  it.each(ENCODED)('%s: the plain view misses it, the %s view catches it', (_name, kind, reply) => {
    expect(guardReply(reply, PROMPT, { views: false }).leaked).toBe(false);
    const views = replyViews(reply);
    expect(views.map((view) => view.kind)).toContain(kind);
    const verdict = guardReply(reply, PROMPT);
    expect(verdict.leaked).toBe(true);
    expect(verdict.reply).toBe(GUARD_REPLACEMENT);
    expect(verdict.score).toBeGreaterThan(0.9);
    // The view that decides is the one made for the encoding (the test fails if it is removed).
    expect(verdict.view).toBe(kind);
  });

  it('finds rot13 and reversed stop words and Markdown markers as these regexes define them', () => {
    const words = (list: readonly string[]) => new RegExp(`\\b(?:${list.join('|')})\\b`, 'gi');
    const markdown = /```|~~~|^[ \t]*(?:(?:>|\/\/|--|;|%|#(?!#))[ \t]|\|)/m;
    const count = (pattern: RegExp, text: string) => text.match(pattern)?.length ?? 0;
    const pieces = [
      ...ROT13_WORDS,
      ...REVERSED_WORDS,
      'Gur',
      'SI',
      'vf_',
      '1gur',
      'gurz',
      'the',
      ' ',
      '  ',
      '\n',
      '\r\n',
      '\u2028',
      '\t',
      '```',
      '~~~',
      '``',
      '> ',
      '// ',
      '/ ',
      '-- ',
      '- ',
      '; ',
      '% ',
      '# ',
      '## ',
      '|',
      'é',
      '.',
      'word',
    ];
    const next = rng(16);
    for (let i = 0; i < 5000; i++) {
      const text = Array.from(
        { length: 1 + Math.floor(next() * 12) },
        () => pieces[Math.floor(next() * pieces.length)],
      ).join('');
      const scan = scanReply(text);
      expect([text, scan.rot13]).toEqual([text, count(words(ROT13_WORDS), text) >= 3]);
      expect([text, scan.reversed]).toEqual([text, count(words(REVERSED_WORDS), text) >= 3]);
      expect([text, scan.markdown]).toEqual([text, markdown.test(text)]);
    }
  });

  it('leaves benign replies with material alone', () => {
    const benign = [
      `Your session id is ${Buffer.from('a harmless random token 1234').toString('base64')}.`,
      'The checksum is 3f2a9c0d4b1e6f7a8c9d0e1f2a3b4c5d, nothing to worry about.',
      'A B C D E F G H I J K: the alphabet starts like that.',
      `${rot13('The weather is nice and you should go for a walk with your dog.')}`,
      'Café déjà vu: naïve résumé tips — “quotes” included.',
      'L33t sp34k 1s fun 4 g4m3rs.',
      '```ts\nconst answer = 42;\n```',
    ];
    for (const reply of benign) {
      const verdict = guardReply(reply, PROMPT);
      expect({ reply, leaked: verdict.leaked }).toEqual({ reply, leaked: false });
    }
  });

  it('decodes only readable material', () => {
    expect(decodedMaterial(`x ${Buffer.from('hello there, world').toString('base64')} y`)).toBe(
      'hello there, world',
    );
    expect(decodedMaterial('internationalization and responsibilities')).toBe('');
    expect(
      decodedMaterial(Buffer.from([0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 9]).toString('hex')),
    ).toBe('');
  });

  it('joins letter-spaced runs at their commonest separator', () => {
    expect(spacedMaterial('Y o u   a r e   A v a .   B e   k i n d')).toBe('You are Ava. Be kind');
    expect(spacedMaterial('Y-o-u a-r-e k-i-n-d')).toBe('You are kind');
    expect(spacedMaterial('Y\no\nu\n\na\nr\ne\n\nk\ni\nn\nd')).toBe('You are kind');
  });

  it('folds text', () => {
    expect(foldLeet('y0u 4r3 7h3 c04ch, 2024')).toBe('you are the coach, 2024');
    expect(foldUnicode('Yоu аrе ｃｏａｃｈ 𝐌𝐚𝐫𝐥𝐨𝐧 ȓéşumé')).toBe('You are coach Marlon resume');
    expect(rot13(rot13('Hello, World!'))).toBe('Hello, World!');
    expect(reverse('abc déf')).toBe('féd cba');
    expect(stripMarkdown('```\n// one two\n// three\n```\n> four\n> five')).toBe(
      'one two three\n\nfour five',
    );
  });

  it('finds a canary in every view, and never lets it stream out', () => {
    const canary = 'qzvxkwplmntrhbjd';
    const forms = [
      `Sure: ${canary}`,
      `Sure: ${canary.toUpperCase()}`,
      `Encoded: ${Buffer.from(`marker ${canary}`).toString('base64')}`,
      `Spaced: ${[...canary].join(' ')}`,
      `Rot13: ${rot13(`my marker is ${canary}, the end`)} gur naq lbh`,
      zeroWidth(canary),
    ];
    for (const reply of forms) {
      const verdict = guardReply(reply, PROMPT, { canary });
      expect({ reply, leaked: verdict.leaked, canary: verdict.canary }).toEqual({
        reply,
        leaked: true,
        canary: true,
      });
      const guard = new StreamingGuard(PROMPT, { canary });
      let out = '';
      for (const ch of `${reply} And that is all I can say about it today.`)
        out += guard.push(ch).release;
      out += guard.finish().release;
      expect(out.toLowerCase()).not.toContain(canary.slice(0, 6));
    }
    expect(guardReply('No marker here at all.', PROMPT, { canary }).leaked).toBe(false);
    expect(() => guardReply('x', PROMPT, { canary: 'short' })).toThrow(RangeError);
  });
});

/** Deterministic PRNG (mulberry32). */
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

/** Splits `text` at random offsets into 1..maxChunks deltas. */
function chunk(text: string, next: () => number, maxChunks: number): string[] {
  const count = 1 + Math.floor(next() * maxChunks);
  const cuts = Array.from({ length: count - 1 }, () => Math.floor(next() * (text.length + 1)));
  cuts.sort((a, b) => a - b);
  const pieces: string[] = [];
  let at = 0;
  for (const cut of cuts) {
    pieces.push(text.slice(at, cut));
    at = cut;
  }
  pieces.push(text.slice(at));
  return pieces;
}

describe('StreamingGuard over the views', () => {
  it.each(ENCODED)(
    'never releases an encoded leak, over 60 random chunkings: %s',
    (_name, kind, encoded) => {
      const tail = '\n\nLet me know if you need anything else today.';
      const reply = `${CHATTER}\n\n${encoded}${tail}`;
      // Encoded runs are held back whole: nothing of the run goes out. Folded text is judged
      // sentence by sentence like the plain view: what goes out passes the guard, the rest waits.
      const run =
        kind === 'decoded'
          ? encoded.search(/[A-Za-z0-9+/]{16}|(?:[0-9a-f]{2} ){4}/)
          : kind === 'spaced'
            ? encoded.search(/(?<!\p{L})\p{L}[ \n-]\p{L}(?!\p{L})/u)
            : encoded.length;
      expect(run).toBeGreaterThanOrEqual(0);
      const leakAt = CHATTER.length + 2 + run;
      expect(guardReply(reply, PROMPT).leaked).toBe(true);
      const next = rng(reply.length);
      for (let i = 0; i < 60; i++) {
        const guard = new StreamingGuard(PROMPT);
        let released = '';
        let leaked = false;
        for (const delta of chunk(reply, next, 1 + (i % 60))) {
          const out = guard.push(delta);
          released += out.release;
          leaked ||= out.leaked;
        }
        const final = guard.finish();
        released += final.release;
        expect(final.leaked).toBe(true);
        expect(final.verdict.reply).toBe(GUARD_REPLACEMENT);
        // What went out is a prefix of the reply before the encoded material, and passes the guard.
        expect(reply.startsWith(released)).toBe(true);
        expect(released.length).toBeLessThanOrEqual(leakAt);
        expect(guardReply(released, PROMPT).leaked).toBe(false);
      }
    },
  );

  it('releases benign replies with material in full, with the one-shot verdict', () => {
    const replies = [
      `Your token is ${Buffer.from('a harmless random token 1234').toString('base64')} and it expires soon. Keep it safe.`,
      'Spell it like this: C O A C H. That is all there is to it, really.',
      'L33t sp34k 1s fun 4 g4m3rs. Let me know what else you would like to try.',
    ];
    for (const reply of replies) {
      const expected = guardReply(reply, PROMPT);
      expect(expected.leaked).toBe(false);
      const next = rng(reply.length);
      for (let i = 0; i < 40; i++) {
        const guard = new StreamingGuard(PROMPT);
        let released = '';
        for (const delta of chunk(reply, next, 1 + (i % 30))) released += guard.push(delta).release;
        const final = guard.finish();
        released += final.release;
        expect(released).toBe(reply);
        expect(final.verdict).toEqual(expected);
      }
    }
  });
});
