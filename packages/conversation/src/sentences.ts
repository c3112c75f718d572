/**
 * Sentence segmentation for the prompt-leak guard. The guard compares runs of sentences with runs
 * of the initial prompt's sentences, and the streaming guard releases a reply sentence by sentence,
 * so this module owns two promises: the pieces always concatenate back to the input exactly (no
 * character is lost or moved), and whether a position is a boundary depends only on the text
 * before it and on at most `SENTENCE_LOOKAHEAD` characters after it, so a streamed prefix is split
 * the same way as the finished text once that much more has arrived.
 *
 * Rules. Boundaries only ever fall at the end of a run of whitespace that follows some text (the
 * whitespace, newlines included, stays with the sentence before it; leading whitespace belongs to
 * the first sentence and trailing whitespace to the last). A whitespace run is a boundary when:
 *  1. it contains a blank line (two or more line breaks); or
 *  2. it contains one line break and the line it ends, or the line it starts, is a list item
 *     (`- `, `* `, `+ `, `• `, `1. `, `1) `), a Markdown heading (`# `) or a table row (`|`); or
 *  3. it follows a sentence terminator: a run of `.`, `!`, `?`, `…` optionally followed by
 *     closing quotes, brackets or Markdown emphasis (`"'”’)]}»*_`). A run containing `!` or `?`
 *     always ends a sentence. A run of only dots or `…` does not when:
 *       - the next character is a lowercase letter (an abbreviation or a trailing-off "..."
 *         mid-sentence: "approx. three", "e.g. this", "well... maybe");
 *     and a single `.` does not when the word before it is:
 *       - a title or inline abbreviation (Mr., Dr., Prof., St., vs., cf., viz., approx., et al.,
 *         eg., ie., …: `NEVER_FINAL`), whatever follows;
 *       - a dotted initialism (e.g., i.e., U.S.) or a single capital initial (J. R. R. Tolkien);
 *       - a numbering abbreviation followed by a digit (No. 5, p. 12, Fig. 3, vol. 2);
 *       - a list number or letter alone at the start of its line ("1. First", "a. First").
 *     "etc." and "Inc." follow the default: they end a sentence unless lowercase text follows.
 * Decimals, versions and URLs (3.14, v1.2.3, example.com) never split: no whitespace follows the dot.
 */

/** Characters after a boundary that decide it (the longest opening marker, `###### `, is 7). */
export const SENTENCE_LOOKAHEAD = 8;

/** `.`, `!`, `?`, `…` */
const isTerminator = (code: number) =>
  code === 0x2e || code === 0x21 || code === 0x3f || code === 0x2026;
/** `"'”’)]}»*_` */
const isCloser = (code: number) =>
  code === 0x22 ||
  code === 0x27 ||
  code === 0x201d ||
  code === 0x2019 ||
  code === 0x29 ||
  code === 0x5d ||
  code === 0x7d ||
  code === 0xbb ||
  code === 0x2a ||
  code === 0x5f;
const OPENERS = /^["'“‘([{«*_]+/u;

/** Abbreviations after which a single `.` never ends a sentence. */
const NEVER_FINAL: ReadonlySet<string> = new Set([
  'mr',
  'mrs',
  'ms',
  'mx',
  'dr',
  'prof',
  'rev',
  'hon',
  'gen',
  'col',
  'capt',
  'lt',
  'sgt',
  'gov',
  'sen',
  'rep',
  'st',
  'mt',
  'ft',
  'eg',
  'ie',
  'cf',
  'vs',
  'viz',
  'approx',
  'esp',
  'incl',
  'ca',
  'al',
]);

/** Abbreviations after which a single `.` does not end a sentence when a digit follows. */
const BEFORE_NUMBER: ReadonlySet<string> = new Set([
  'no',
  'nos',
  'nr',
  'p',
  'pp',
  'fig',
  'figs',
  'vol',
  'ch',
  'sec',
  'art',
  'ex',
]);

/** The longest word of `NEVER_FINAL` and `BEFORE_NUMBER`. */
const LONGEST_ABBREVIATION = Math.max(...[...NEVER_FINAL, ...BEFORE_NUMBER].map((w) => w.length));

const STRUCTURED_LINE = /^(?:(?:[-*+•]|\d{1,3}[.)]|#{1,6})[ \t]|\|)/u;

/** JavaScript's `\s` (with the `u` flag): what separates sentences. */
export function isSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * The boundaries of `text` at or after `from` (which must be 0 or a boundary): each is the index
 * where a sentence starts, so sentence k is `text.slice(ends[k-1] ?? 0, ends[k])`.
 */
export function sentenceBoundaries(text: string, from = 0): number[] {
  const ends: number[] = [];
  const length = text.length;
  let i = from;
  while (i < length) {
    if (!isSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const end = spaceRun(text, i);
    if (end > 0) {
      ends.push(end);
      i = end;
    } else {
      i = -end;
    }
  }
  return ends;
}

/**
 * The run of whitespace starting at `start` (a whitespace character, where the run starts): the
 * index after it, negated when no boundary falls there. `sentenceBoundaries` is made of these,
 * and the guard's tokeniser finds the boundaries with them as it goes.
 */
export function spaceRun(text: string, start: number): number {
  // The run [start, i), with its line breaks ("\r\n" is one).
  const length = text.length;
  let i = start;
  let lineBreaks = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (!isSpace(code)) break;
    if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    if (isLineBreak(code)) lineBreaks++;
    i++;
  }
  if (start === 0 || i >= length) return -i;
  return isBoundary(text, start, i, lineBreaks) ? i : -i;
}

/**
 * Splits `text` into sentences that concatenate back to it exactly (see the module comment for
 * the rules). The empty string has no sentences; whitespace alone is one.
 */
export function splitSentences(text: string): string[] {
  if (text === '') return [];
  const sentences: string[] = [];
  let start = 0;
  for (const end of sentenceBoundaries(text)) {
    sentences.push(text.slice(start, end));
    start = end;
  }
  sentences.push(text.slice(start));
  return sentences;
}

function isBoundary(text: string, start: number, end: number, lineBreaks: number): boolean {
  if (lineBreaks >= 2) return true;
  if (lineBreaks === 1) {
    const lineStart = lastLineStart(text, start);
    if (STRUCTURED_LINE.test(text.slice(lineStart, start).trimStart())) return true;
    if (STRUCTURED_LINE.test(text.slice(end, end + SENTENCE_LOOKAHEAD))) return true;
  }
  return endsSentence(text, start, end);
}

/** Rule 3: does the text before the whitespace at [start, end) end with a sentence terminator? */
function endsSentence(text: string, start: number, end: number): boolean {
  // Most whitespace follows a letter or a digit, which neither closes nor ends a sentence.
  const before = text.charCodeAt(start - 1);
  if (((before | 0x20) >= 0x61 && (before | 0x20) <= 0x7a) || (before >= 0x30 && before <= 0x39))
    return false;
  let closeAt = start;
  while (closeAt > 0 && isCloser(text.charCodeAt(closeAt - 1))) closeAt--;
  let runAt = closeAt;
  while (runAt > 0 && isTerminator(text.charCodeAt(runAt - 1))) runAt--;
  if (runAt === closeAt) return false;
  for (let at = runAt; at < closeAt; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x21 || code === 0x3f) return true;
  }

  const nextCode = text.charCodeAt(end);
  if (nextCode < 0x80 ? nextCode >= 0x61 && nextCode <= 0x7a : /\p{Ll}/u.test(nextChar(text, end)))
    return false;
  if (closeAt - runAt !== 1 || text.charCodeAt(runAt) !== 0x2e) return true;

  let wordAt = runAt;
  while (wordAt > 0 && !isSpace(text.charCodeAt(wordAt - 1))) wordAt--;
  // The common case, a word of two or more ASCII letters: only the abbreviation lists matter.
  let letters = runAt - wordAt >= 2;
  for (let at = wordAt; letters && at < runAt; at++) {
    const code = text.charCodeAt(at) | 0x20;
    letters = code >= 0x61 && code <= 0x7a;
  }
  if (letters) {
    if (runAt - wordAt > LONGEST_ABBREVIATION) return true;
    const lower = text.slice(wordAt, runAt).toLowerCase();
    return !(
      NEVER_FINAL.has(lower) ||
      (BEFORE_NUMBER.has(lower) && /\p{N}/u.test(nextChar(text, end)))
    );
  }
  const next = nextChar(text, end);
  const word = text.slice(wordAt, runAt).replace(OPENERS, '');
  const lower = word.toLowerCase();
  if (NEVER_FINAL.has(lower)) return false;
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word) || /^\p{Lu}$/u.test(word)) return false;
  if (BEFORE_NUMBER.has(lower) && /\p{N}/u.test(next)) return false;
  // A list number or letter alone at the start of its line (after spaces or tabs).
  if (/^(?:\d{1,3}|\p{L})$/u.test(text.slice(wordAt, runAt))) {
    let at = wordAt - 1;
    while (at >= 0 && (text[at] === ' ' || text[at] === '\t')) at--;
    if (at < 0 || isLineBreak(text.charCodeAt(at))) return false;
  }
  return true;
}

/** The character (code point) at `at`, or a space past the end. */
function nextChar(text: string, at: number): string {
  return String.fromCodePoint(text.codePointAt(at) ?? 32);
}

function isLineBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

function lastLineStart(text: string, before: number): number {
  for (let i = before - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '\n' || ch === '\r' || ch === '\u2028' || ch === '\u2029') return i + 1;
  }
  return 0;
}
