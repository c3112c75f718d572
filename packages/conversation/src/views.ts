/**
 * Normalising views of a reply for the prompt-leak guard (v2, docs/decisions/0013-guard-v2.md).
 * An extraction attack asks for the prompt encoded (base64, hex, rot13, reversed, letter by
 * letter, leetspeak, look-alike characters, in a code block); the guard scores each view of the
 * reply with the same TF-IDF windows, and a leak in any view is a leak.
 *
 * Work is bounded by one cheap pre-scan (`scanReply`): a view is built only when the reply holds
 * material for it, so a plain reply gets no view but itself. Views that decode material (base64,
 * base64url and hex runs, letter-spaced runs) hold only the decoded material; views that fold the
 * whole text (zero-width characters removed, Unicode folded, leetspeak folded, rot13, reversed,
 * Markdown stripped) hold the whole folded reply.
 */

import { splitSentences } from './sentences';

export type ViewKind =
  | 'plain'
  | 'decoded'
  | 'spaced'
  | 'zero-width'
  | 'unicode'
  | 'leet'
  | 'rot13'
  | 'reversed'
  | 'markdown';

export interface ReplyView {
  kind: ViewKind;
  text: string;
}

/** The views `replyViews` would build (besides `plain`), by the pre-scan alone. */
export interface ReplyScan {
  decoded: boolean;
  spaced: boolean;
  zeroWidth: boolean;
  unicode: boolean;
  leet: boolean;
  rot13: boolean;
  reversed: boolean;
  markdown: boolean;
}

/** A base64 / base64url run: 16+ alphabet characters, optionally wrapped over lines. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_-]{4,}={0,2})*/g;
/** A hex run: 8+ byte pairs, optionally `\x`/`0x`-prefixed and separated by spaces, colons, commas. */
const HEX_RUN = /(?:(?:\\x|0x)?[0-9A-Fa-f]{2}[ :,]?){8,}/g;
/** Separators of letter-spaced text: spaces, line breaks, dashes, slashes, bullets, zero-width. */
const SPACER = '[ \\t\\r\\n\\-_|/\\\\·•\\u200B-\\u200D\\u2060\\uFEFF]';
/** At least 8 single characters, each followed by a separator (letter-spaced, one per line, …). */
const SPACED_RUN = new RegExp(
  `(?<![\\p{L}\\p{N}])[\\p{L}\\p{N}](?:${SPACER}+[\\p{L}\\p{N}.,!?;:'’](?![\\p{L}\\p{N}])){7,}`,
  'gu',
);
const SPACED_PIECE = new RegExp(
  `(${SPACER}+)|([^\\s\\-_|/\\\\·•\\u200B-\\u200D\\u2060\\uFEFF])`,
  'gu',
);
const ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/g;
const LEET_WORD = /[\p{L}\p{N}@$]+/gu;
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
};
/** English stop words as rot13 turns them ("the" → "gur", "you" → "lbh", …). */
export const ROT13_WORDS: readonly string[] =
  'gur naq lbh lbhe ner vf jvgu sbe guvf gung jura jvyy nobhg nyjnlf arire gb bs va'.split(' ');
/** English stop words reversed ("the" → "eht", …). */
export const REVERSED_WORDS: readonly string[] =
  'eht dna uoy ruoy era si htiw rof siht taht nehw lliw tuoba syawla reven ot fo ni'.split(' ');
/** A word of up to 6 lower-case ASCII letters as a number (5 bits a letter), for the scan. */
const wordCode = (word: string) =>
  [...word].reduce((code, ch) => code * 32 + (ch.charCodeAt(0) - 96), 0);
const ROT13_CODES = new Set(ROT13_WORDS.map(wordCode));
const REVERSED_CODES = new Set(REVERSED_WORDS.map(wordCode));
const WORD_HITS = 3;

/**
 * One pass over the reply's characters (char codes, no allocation) and three cheap regexes:
 * which views it holds material for. It may say yes where a view then finds nothing (a long word
 * looks like a base64 run); it never says no where a view would find its material.
 */
export function scanReply(reply: string): ReplyScan {
  return scanText(reply, WORD_HITS);
}

/** `scanReply` with `needed` leet pairs, rot13 or reversed stop words to say yes. */
function scanText(reply: string, needed: number): ReplyScan {
  const scan = scanCharacters(reply, needed);
  if (!scan.decoded && hexPrefixSeen) scan.decoded = test(HEX_RUN, reply);
  return scan;
}

/** Whether the last `scanCharacters` met "\\x" or "0x" (a prefixed hex run may follow). */
let hexPrefixSeen = false;

/** The pass over the characters (its own function: the loop is what the JIT compiles). */
function scanCharacters(reply: string, needed: number): ReplyScan {
  let base64Run = 0;
  let decoded = false;
  let hexToken = 0;
  let hexTokens = 0;
  let token = 0;
  let singles = 0;
  let spaced = false;
  let zeroWidth = false;
  let unicode = false;
  let leetPairs = 0;
  let previous = Kind.Other;
  let beforePrevious = Kind.Other;
  // Words as JavaScript's \b sees them (runs of [A-Za-z0-9_]): their letters as a number.
  let word = 0;
  let wordLength = 0;
  let letters = true;
  let rot13Hits = 0;
  let reversedHits = 0;
  let markdown = false;
  /** At the start of a line, spaces and tabs skipped. */
  let lineStart = true;
  let hexPrefix = false;
  const length = reply.length;
  for (let i = 0; i <= length; i++) {
    const code = i < length ? reply.charCodeAt(i) : 0x20;
    if (code >= 0x61 && code <= 0x7a) {
      // A lower-case ASCII letter, most of any reply: the general path below, shortened.
      if (code === 0x78 && !hexPrefix) {
        const before = reply.charCodeAt(i - 1);
        hexPrefix = before === 0x5c || before === 0x30;
      }
      base64Run++;
      hexToken = code <= 0x66 ? hexToken + 1 : -1000;
      if (base64Run >= 16) decoded = true;
      token++;
      if (beforePrevious === Kind.Letter && previous === Kind.Leet) leetPairs++;
      beforePrevious = previous;
      previous = Kind.Letter;
      if (wordLength < 7) word = word * 32 + (code - 96);
      wordLength++;
      lineStart = false;
      // The rest of a run of lower-case letters: only the hex token and the word change per letter
      // (no prefix can precede an "x" here; the letters before each are letters).
      let next = i + 1;
      for (; next < length; next++) {
        const letter = reply.charCodeAt(next);
        if (letter < 0x61 || letter > 0x7a) break;
        hexToken = letter <= 0x66 ? hexToken + 1 : -1000;
        if (wordLength < 7) word = word * 32 + (letter - 96);
        wordLength++;
      }
      const more = next - i - 1;
      if (more > 0) {
        base64Run += more;
        token += more;
        if (base64Run >= 16) decoded = true;
        beforePrevious = Kind.Letter;
        i += more;
      }
      continue;
    }
    if (isAsciiWord(code)) {
      const lower = code | 0x20;
      if (lower >= 0x61 && lower <= 0x7a) {
        if (wordLength < 7) word = word * 32 + (lower - 96);
      } else {
        letters = false;
      }
      wordLength++;
    } else if (wordLength > 0) {
      if (letters && wordLength <= 6) {
        if (ROT13_CODES.has(word)) rot13Hits++;
        if (REVERSED_CODES.has(word)) reversedHits++;
      }
      word = 0;
      wordLength = 0;
      letters = true;
    }
    if (i === length) break;
    if (!markdown) markdown = markdownAt(reply, i, code, lineStart);
    if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) lineStart = true;
    else if (code !== 0x20 && code !== 0x09) lineStart = false;
    const kind: Kind = code < 128 ? (ASCII_KIND[code] ?? Kind.Other) : kindOf(code);
    const alphanumeric = kind <= Kind.Leet;
    // base64 / base64url runs (16+ alphabet characters) and hex bytes separated by spaces.
    if (alphanumeric) {
      if (code < 128 && code !== 0x24 && code !== 0x40) base64Run++;
      else base64Run = 0;
      hexToken = isHex(code) ? hexToken + 1 : -1000;
    } else if (code === 0x2b || code === 0x2f || code === 0x5f || code === 0x2d) {
      base64Run++;
      hexToken = -1000;
    } else {
      const separator = code === 0x20 || code === 0x3a || code === 0x2c;
      if (hexToken === 2 && separator) hexTokens++;
      else if (hexToken !== 0 || !separator) hexTokens = 0;
      hexToken = 0;
      base64Run = 0;
    }
    if (base64Run >= 16 || hexTokens >= 8) decoded = true;
    // Letter-spaced runs: 8 single characters in a row, each followed by a separator.
    if (alphanumeric) token++;
    else {
      if (token === 1 && (kind === Kind.Spacer || kind === Kind.ZeroWidth)) singles++;
      else if (token > 1) singles = 0;
      else if (token === 0 && kind === Kind.Other) singles = 0;
      token = 0;
      if (singles >= 8) spaced = true;
    }
    if (kind === Kind.ZeroWidth) zeroWidth = true;
    if (kind === Kind.LookAlike) unicode = true;
    // A leet digit between two letters ("y0u", "h3lp"), not one beside a letter ("10K", "mp3").
    if (beforePrevious === Kind.Letter && previous === Kind.Leet && kind === Kind.Letter)
      leetPairs++;
    beforePrevious = previous;
    previous = kind;
  }
  hexPrefixSeen = hexPrefix;
  return {
    decoded,
    spaced,
    zeroWidth,
    unicode,
    leet: leetPairs >= needed,
    rot13: rot13Hits >= needed,
    reversed: reversedHits >= needed,
    markdown,
  };
}

/** Letter, Digit and Leet first: `kind <= Kind.Leet` is "a letter or a digit". */
const enum Kind {
  Letter,
  Digit,
  /** A leetspeak digit or symbol (0 1 3 4 5 7 8 @ $): a digit and a letter at once. */
  Leet,
  Spacer,
  ZeroWidth,
  LookAlike,
  Punctuation,
  Other,
}

function kindOf(code: number): Kind {
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) return Kind.Letter;
  if (code >= 0x30 && code <= 0x39)
    return code === 0x32 || code === 0x36 || code === 0x39 ? Kind.Digit : Kind.Leet;
  if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) return Kind.Spacer;
  if (code < 128) {
    if (code === 0x40 || code === 0x24) return Kind.Leet;
    if (code === 0x2d || code === 0x5f || code === 0x7c || code === 0x2f || code === 0x5c)
      return Kind.Spacer;
    if (
      code === 0x2e ||
      code === 0x2c ||
      code === 0x21 ||
      code === 0x3f ||
      code === 0x3b ||
      code === 0x3a ||
      code === 0x27
    )
      return Kind.Punctuation;
    return Kind.Other;
  }
  if (
    code === 0xad ||
    code === 0x180e ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2060 && code <= 0x2064) ||
    code === 0xfeff
  )
    return Kind.ZeroWidth;
  if (code === 0xb7 || code === 0x2022) return Kind.Spacer;
  if (
    (code >= 0x0300 && code <= 0x052f) ||
    (code >= 0x1ab0 && code <= 0x1aff) ||
    (code >= 0x1d00 && code <= 0x1dbf) ||
    (code >= 0x20d0 && code <= 0x20ff) ||
    (code >= 0x2100 && code <= 0x214f) ||
    (code >= 0x2460 && code <= 0x24ff) ||
    (code >= 0xfe20 && code <= 0xfe2f) ||
    (code >= 0xff00 && code <= 0xffef) ||
    code === 0xd835 ||
    code === 0xd83c
  )
    return Kind.LookAlike;
  if ((code >= 0x2000 && code <= 0x206f) || (code >= 0x3000 && code <= 0x303f))
    return Kind.Punctuation;
  return Kind.Letter;
}

function isAsciiWord(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f
  );
}

/**
 * Markdown at `i`: a code fence (```, ~~~) anywhere, or at a line's start (after spaces and tabs)
 * a quote, comment or heading marker followed by a space or tab (`> `, `// `, `-- `, `; `, `% `,
 * `# `) or a table pipe.
 */
function markdownAt(text: string, i: number, code: number, lineStart: boolean): boolean {
  if (
    (code === 0x60 || code === 0x7e) &&
    text.charCodeAt(i + 1) === code &&
    text.charCodeAt(i + 2) === code
  )
    return true;
  if (!lineStart) return false;
  if (code === 0x7c) return true;
  let next = i + 1;
  if ((code === 0x2f || code === 0x2d) && text.charCodeAt(i + 1) === code) next = i + 2;
  else if (code !== 0x3e && code !== 0x3b && code !== 0x25 && code !== 0x23) return false;
  const after = text.charCodeAt(next);
  return after === 0x20 || after === 0x09;
}

/** `kindOf` of every ASCII character (the scan's hot path). */
const ASCII_KIND = Uint8Array.from({ length: 128 }, (_, code) => kindOf(code));

function isHex(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x61 && code <= 0x66) ||
    (code >= 0x41 && code <= 0x46)
  );
}

/** The reply's views besides itself, each built only when the pre-scan found material for it. */
export function replyViews(reply: string, scan: ReplyScan = scanReply(reply)): ReplyView[] {
  const views: ReplyView[] = [];
  const add = (kind: ViewKind, text: string) => {
    if (text.trim() !== '' && text !== reply) views.push({ kind, text });
  };
  if (scan.decoded) add('decoded', decodedMaterial(reply));
  if (scan.spaced) add('spaced', spacedMaterial(reply));
  // Folding views hold only the sentences with material for them (in order), so a reply full of
  // mixed encodings costs about one plain judgement over all its views, not one per view.
  const folds = scan.zeroWidth || scan.unicode || scan.leet || scan.rot13 || scan.reversed;
  const sentences = folds ? splitSentences(reply) : [];
  const flags = sentences.length > 1 ? sentences.map((t) => scanText(t, 1)) : [];
  const only = (flag: keyof ReplyScan) =>
    sentences.length <= 1 ? reply : sentences.filter((_, i) => flags[i]?.[flag]).join('');
  if (scan.zeroWidth) add('zero-width', only('zeroWidth').replace(ZERO_WIDTH, ''));
  if (scan.unicode) add('unicode', foldUnicode(only('unicode')));
  if (scan.leet) add('leet', foldLeet(only('leet')));
  if (scan.rot13) add('rot13', rot13(only('rot13')));
  if (scan.reversed) add('reversed', reverse(only('reversed')));
  if (scan.markdown) add('markdown', stripMarkdown(reply));
  return views;
}

function test(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  return found;
}

/** The decoded text of every base64, base64url or hex run that decodes to readable UTF-8. */
export function decodedMaterial(reply: string): string {
  const out: string[] = [];
  for (const match of reply.matchAll(HEX_RUN)) {
    const hex = match[0].replace(/\\x|0x|[ :,]/g, '');
    if (hex.length % 2 === 0) pushReadable(out, Buffer.from(hex, 'hex'));
  }
  for (const match of reply.matchAll(BASE64_RUN)) {
    const run = match[0].replace(/\s+/g, '');
    if (/^[0-9A-Fa-f]+$/.test(run)) continue; // a hex run, decoded above
    pushReadable(out, Buffer.from(run, 'base64')); // also reads the base64url alphabet
  }
  return out.join('\n\n');
}

function pushReadable(out: string[], bytes: Buffer): void {
  if (bytes.length < 6) return;
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD')) return;
  let readable = 0;
  for (const ch of text) if (/[\p{L}\p{N}\p{P}\p{Zs}\n\r\t]/u.test(ch)) readable++;
  if (readable >= 0.95 * [...text].length) out.push(text);
}

/**
 * Letter-spaced runs joined back into words: within a run the commonest separator is the one
 * between letters, any other separator (a longer space, a blank line, " / ") between words.
 */
export function spacedMaterial(reply: string): string {
  const out: string[] = [];
  for (const match of reply.matchAll(SPACED_RUN)) {
    const chars: string[] = [];
    const separators: string[] = [];
    for (const piece of match[0].matchAll(SPACED_PIECE)) {
      if (piece[1] !== undefined) separators.push(piece[1]);
      else chars.push(piece[2] ?? '');
    }
    const tally = new Map<string, number>();
    for (const sep of separators) tally.set(sep, (tally.get(sep) ?? 0) + 1);
    let between = '';
    let most = 0;
    for (const [sep, count] of tally)
      if (count > most) {
        most = count;
        between = sep;
      }
    let text = chars[0] ?? '';
    for (let i = 1; i < chars.length; i++) {
      const sep = separators[i - 1] ?? '';
      text += (sep === between ? '' : ' ') + (chars[i] ?? '');
    }
    out.push(text.replace(/ ([.,!?;:])/g, '$1'));
  }
  return out.join(' ');
}

/** Look-alike letters to their Latin twins (Unicode's confusables for Greek and Cyrillic). */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  з: '3',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  п: 'n',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ӏ: 'l',
  ɡ: 'g',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  Ԁ: 'D',
  Ԛ: 'Q',
  Ԝ: 'W',
  Һ: 'H',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  ω: 'w',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};
const CONFUSABLE = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'gu');

/** NFKC compatibility folding (fullwidth, mathematical, enclosed letters), marks stripped, look-alikes folded. */
export function foldUnicode(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(CONFUSABLE, (ch) => CONFUSABLES[ch] ?? ch)
    .normalize('NFKC');
}

/** Leetspeak digits and symbols inside words back to letters ("y0u 4r3" → "you are"). */
export function foldLeet(text: string): string {
  return text.replace(LEET_WORD, (word) =>
    /\p{L}/u.test(word) ? word.replace(/[0134578@$]/g, (ch) => LEET[ch] ?? ch) : word,
  );
}

export function rot13(text: string): string {
  return text.replace(/[A-Za-z]/g, (ch) => {
    const code = ch.charCodeAt(0);
    const base = code < 97 ? 65 : 97;
    return String.fromCharCode(((code - base + 13) % 26) + base);
  });
}

export function reverse(text: string): string {
  return Array.from(text).reverse().join('');
}

/**
 * Code fences taken out, quote, comment, heading and list markers and table pipes too, and the
 * lines of a paragraph joined (a leak hard-wrapped into a table or a comment block splits its
 * sentences at every line otherwise).
 */
export function stripMarkdown(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) =>
      /^[ \t]*(?:```|~~~)/.test(line)
        ? ''
        : line
            .replace(/^[ \t]*(?:(?:>|\/\/|--|;|%|#{1,6}|[-*+•]|\d{1,3}[.)])[ \t]?)+/, '')
            .replace(/[ \t]*\|[ \t]*/g, ' ')
            .trim(),
    )
    .join('\n')
    .replace(/([^\n])\n(?=[^\n])/g, '$1 ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
