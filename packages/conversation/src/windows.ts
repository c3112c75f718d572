/**
 * The windows of the prompt-leak guard and their scores (docs/decisions/0013-guard-v2.md): runs of
 * reply sentences scored against runs of prompt sentences with scikit-learn's TF-IDF cosine
 * (`tfidf.ts`), to the last bit, without computing the scores that cannot matter.
 *
 * - Prompt side, once per prompt text (`promptIndex`, cached): the windows, for each term the
 *   windows holding it with its count there (postings), and `promptBound[k]`, the most a prompt
 *   window's side of the cosine can contribute when the reply window shares k distinct terms with
 *   the prompt (from each window's largest squared counts).
 * - Reply side (`judgeWindows`): one pass over the characters tokenises, lower-cases, drops stop
 *   words, interns the terms and finds the sentence boundaries (`replyTerms`), making no string
 *   per token (`PromptIndex.dict*`). Then a cheap pass computes every reply window's own sums
 *   from a table per (sentence, distance) (no postings): its score can be no higher than its reply-side factor
 *   sqrt(inPrompt / norm) times `promptBound[k]` (Cauchy–Schwarz on the shared terms: the dot
 *   product is at most sqrt(sharedReply · sharedPrompt)). Windows are then scored exactly, the one
 *   with the highest bound first, then start by start (extended sentence by sentence through the
 *   postings, lazily), skipping every window whose bound is below the best score found: it cannot
 *   be the best pair nor tie with it. A plain 2k-token reply gets about a fifth of its windows
 *   scored exactly; the score and window reported are exactly those of scoring them all.
 */
import { isSpace, sentenceBoundaries, spaceRun, splitSentences } from './sentences';
import { ENGLISH_STOP_WORDS } from './stop-words';
import { IDF_ONE_DOC, type TermCounts, pairSimilarity, termCounts } from './tfidf';

/** The longest run of consecutive sentences scored as one window (besides the whole text). */
export const GUARD_MAX_RUN = 8;
/** Distinct content terms both windows of a pair need, unless it is (whole reply, whole prompt). */
export const GUARD_MIN_WINDOW_TERMS = 6;
/**
 * Short pairs: a prompt window of two or more sentences with at least this many distinct terms,
 * and a reply window with as many, are a pair too, which counts only from `GUARD_SHORT_PAIR_SCORE`.
 */
export const GUARD_SHORT_WINDOW_TERMS = 4;
/**
 * A short pair counts from this score: with five terms or fewer a side, only the same content
 * words on both sides reach it (one term more or less on either side scores 0.82 at most).
 */
export const GUARD_SHORT_PAIR_SCORE = 0.9;

const IDF2 = IDF_ONE_DOC * IDF_ONE_DOC;
/** Scores within this of the best are ties (the longer window is reported). */
const TIE = 1e-9;
/** Bounds are raised by this factor, so that rounding never puts one below the score it bounds. */
const BOUND_SLACK = 1 + 1e-12;

const WHOLE = 1;
const SCOREABLE = 2;
const SHORT = 4;

/** Whether a pair of windows counts, with `value` its score; `flags` are the prompt window's. */
export function pairCounts(
  flags: number,
  whole: boolean,
  distinct: number,
  value: number,
): boolean {
  if ((whole && flags & WHOLE) || (distinct >= GUARD_MIN_WINDOW_TERMS && flags & SCOREABLE))
    return true;
  return (
    distinct >= GUARD_SHORT_WINDOW_TERMS && (flags & SHORT) !== 0 && value >= GUARD_SHORT_PAIR_SCORE
  );
}

/** A window's score and where it is; the highest, the longest of ties, then the first. */
export class Best {
  score = 0;
  private readonly ties: { score: number; start: number; end: number }[] = [];

  offer(score: number, start: number, end: number): void {
    if (score <= 0 || score < this.score - TIE) return;
    if (score > this.score) {
      this.score = score;
      const floor = score - TIE;
      for (let i = this.ties.length - 1; i >= 0; i--)
        if ((this.ties[i]?.score ?? 0) < floor) this.ties.splice(i, 1);
    }
    this.ties.push({ score, start, end });
  }

  /** The reported window; the whole text (`[0, sentences)`) when nothing scored above 0. */
  window(sentences: number): { start: number; end: number } {
    let chosen: { start: number; end: number } | undefined;
    for (const tie of this.ties) {
      const longer =
        !chosen ||
        tie.end - tie.start > chosen.end - chosen.start ||
        (tie.end - tie.start === chosen.end - chosen.start && tie.start < chosen.start);
      if (longer) chosen = tie;
    }
    return chosen ? { start: chosen.start, end: chosen.end } : { start: 0, end: sentences };
  }
}

/**
 * The prompt's windows (the whole prompt and every run of 1..GUARD_MAX_RUN sentences that can be
 * paired) and, for each prompt term, the windows holding it with its count there, flattened into
 * typed arrays: postings of term t are [postingStart[t], postingStart[t + 1]).
 */
export class PromptIndex {
  readonly vocab = new Map<string, number>();
  readonly postingStart: Int32Array;
  readonly postingWindow: Int32Array;
  readonly postingCount: Int32Array;
  readonly windowTotal: Float64Array;
  /** WHOLE (the whole prompt), SCOREABLE (6+ terms), SHORT (4+ terms over 2+ sentences with terms). */
  readonly windowFlags: Uint8Array;
  /**
   * `promptBound[k]` ≥ sqrt(shared / norm) of the prompt side of any pair whose reply window holds
   * k distinct prompt terms: the window's k largest squared counts shared, the rest not.
   */
  readonly promptBound: Float64Array;
  /**
   * The prompt's terms and the stop words by `termHash`, for the reply's tokeniser: a token is
   * looked up by its characters in place, with no string made for it. Open addressing: slot s
   * holds entry `dictSlot[s] - 1`, 0 when empty; entry e is `dictTerm[e]`, the prompt's term id
   * `dictPromptId[e]` (-1 for a stop word). `dictStamp`/`dictLocal` are the current reply's
   * scratch: entry e's local term id, valid when `dictStamp[e]` is the reply's call number.
   */
  readonly dictMask: number;
  readonly dictSlot: Int32Array;
  readonly dictHash: Int32Array;
  readonly dictTerm: readonly string[];
  readonly dictPromptId: Int32Array;
  readonly dictStamp: Float64Array;
  readonly dictLocal: Int32Array;

  constructor(initialPrompt: string) {
    const sentences = splitSentences(initialPrompt).map(termCounts);
    const windows: { counts: TermCounts; flags: number }[] = [];
    const whole = new Map<string, number>();
    for (const counts of sentences) addCounts(whole, counts);
    const withTerms = sentences.filter((counts) => counts.size > 0).length;
    windows.push({ counts: whole, flags: WHOLE | pairFlags(whole.size, withTerms) });
    for (let start = 0; start < sentences.length; start++) {
      const run = new Map<string, number>();
      let runWithTerms = 0;
      const stop = Math.min(sentences.length, start + GUARD_MAX_RUN);
      for (let end = start + 1; end <= stop; end++) {
        const counts = sentences[end - 1] ?? new Map<string, number>();
        addCounts(run, counts);
        if (counts.size > 0) runWithTerms++;
        const isWhole = start === 0 && end === sentences.length;
        const flags = pairFlags(run.size, runWithTerms);
        if (!isWhole && flags !== 0) windows.push({ counts: new Map(run), flags });
      }
    }
    const postings: { window: number; count: number }[][] = [];
    this.windowTotal = new Float64Array(windows.length);
    this.windowFlags = new Uint8Array(windows.length);
    windows.forEach(({ counts, flags }, window) => {
      let total = 0;
      for (const [term, count] of counts) {
        total += count * count;
        let id = this.vocab.get(term);
        if (id === undefined) {
          id = postings.length;
          this.vocab.set(term, id);
          postings.push([]);
        }
        postings[id]?.push({ window, count });
      }
      this.windowTotal[window] = total;
      this.windowFlags[window] = flags;
    });
    const size = postings.reduce((sum, list) => sum + list.length, 0);
    this.postingStart = new Int32Array(postings.length + 1);
    this.postingWindow = new Int32Array(size);
    this.postingCount = new Int32Array(size);
    let at = 0;
    postings.forEach((list, term) => {
      this.postingStart[term] = at;
      for (const { window, count } of list) {
        this.postingWindow[at] = window;
        this.postingCount[at] = count;
        at++;
      }
    });
    this.postingStart[postings.length] = at;

    this.promptBound = new Float64Array(postings.length + 1);
    for (const { counts } of windows) {
      const squares = [...counts.values()].map((c) => c * c).sort((a, b) => b - a);
      const total = squares.reduce((sum, s) => sum + s, 0);
      let shared = 0;
      for (let k = 1; k <= postings.length; k++) {
        shared += squares[k - 1] ?? 0;
        const bound = Math.sqrt(shared / (shared + IDF2 * (total - shared)));
        if (bound > (this.promptBound[k] ?? 0)) this.promptBound[k] = bound;
      }
    }

    const dictTerm = [...ENGLISH_STOP_WORDS, ...this.vocab.keys()];
    let slots = 16;
    while (slots < 4 * dictTerm.length) slots *= 2;
    this.dictMask = slots - 1;
    this.dictSlot = new Int32Array(slots);
    this.dictHash = new Int32Array(dictTerm.length);
    this.dictPromptId = new Int32Array(dictTerm.length);
    this.dictStamp = new Float64Array(dictTerm.length);
    this.dictLocal = new Int32Array(dictTerm.length);
    this.dictTerm = dictTerm;
    dictTerm.forEach((term, e) => {
      const hash = termHash(term);
      this.dictHash[e] = hash;
      this.dictPromptId[e] = this.vocab.get(term) ?? -1;
      let probe = hash & this.dictMask;
      while (this.dictSlot[probe] !== 0) probe = (probe + 1) & this.dictMask;
      this.dictSlot[probe] = e + 1;
    });
  }
}

/** The hash of a term's characters (code units), as the tokeniser computes it in place. */
function termHash(term: string): number {
  let hash = 0;
  for (let k = 0; k < term.length; k++) hash = (Math.imul(hash, 31) + term.charCodeAt(k)) | 0;
  return mixHash(hash);
}

/** Spreads a polynomial hash over the low bits a table mask keeps (murmur3's finaliser). */
function mixHash(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Flags of a prompt window of `distinct` terms over `sentences` sentences holding terms. */
function pairFlags(distinct: number, sentences: number): number {
  return (
    (distinct >= GUARD_MIN_WINDOW_TERMS ? SCOREABLE : 0) |
    (distinct >= GUARD_SHORT_WINDOW_TERMS && sentences >= 2 ? SHORT : 0)
  );
}

function addCounts(into: Map<string, number>, counts: TermCounts): void {
  for (const [term, count] of counts) into.set(term, (into.get(term) ?? 0) + count);
}

/** Prompt indexes by prompt text: a prompt version is indexed once, not on every reply. */
const PROMPT_CACHE_SIZE = 64;
const promptCache = new Map<string, PromptIndex>();

export function promptIndex(initialPrompt: string): PromptIndex {
  let index = promptCache.get(initialPrompt);
  if (index) {
    promptCache.delete(initialPrompt);
  } else {
    index = new PromptIndex(initialPrompt);
    if (promptCache.size >= PROMPT_CACHE_SIZE) {
      const oldest = promptCache.keys().next().value;
      if (oldest !== undefined) promptCache.delete(oldest);
    }
  }
  promptCache.set(initialPrompt, index);
  return index;
}

// ---- the reply's terms: one pass over the characters ----

/** Word characters of scikit-learn's `\w` (see tfidf.ts): letters, numbers and `_`. */
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;
/** 1 = word character, 0 = not, for ASCII. */
const ASCII_WORD = new Uint8Array(128).map((_, code) =>
  WORD_CHAR.test(String.fromCharCode(code)) ? 1 : 0,
);
/** The same for the rest of the BMP, filled on first sight: 0 unknown, 1 word, 2 not. */
const BMP_WORD = new Uint8Array(65536);

/** UTF-16 units of the word character at `i` (2 for an astral one), 0 if there is none. */
function wordWidth(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code < 128) return ASCII_WORD[code] ?? 0;
  if (code >= 0xd800 && code <= 0xdbff) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return WORD_CHAR.test(text.slice(i, i + 2)) ? 2 : 0;
    return 0;
  }
  let known = BMP_WORD[code] ?? 0;
  if (known === 0) {
    known = WORD_CHAR.test(String.fromCharCode(code)) ? 1 : 2;
    BMP_WORD[code] = known;
  }
  return known === 1 ? 1 : 0;
}

/** The reply's terms, interned: local ids 0..vocabulary-1, per sentence (id, count) pairs. */
interface ReplyTerms {
  sentences: number;
  vocabulary: number;
  /** The prompt's term id of each local id, -1 when the prompt lacks it. */
  promptId: Int32Array;
  /** Occurrences of each local id in the whole reply. */
  total: Int32Array;
  /** Sentence i's pairs are [sentenceStart[i], sentenceStart[i + 1]). */
  sentenceStart: Int32Array;
  ids: Int32Array;
  counts: Int32Array;
}

/**
 * Terms seen in the current reply, by their characters in place: open addressing on a hash of the
 * characters, so a term seen before (most tokens: stop words and repeats) costs no new string.
 * Slots are valid when stamped with the current call's generation (nothing to clear per call).
 */
const seen = {
  mask: 4095,
  stamp: new Int32Array(4096),
  entry: new Int32Array(4096),
  generation: 0,
  terms: [] as string[],
  hashes: new Int32Array(1024),
  /** Local id of each entry, -1 for a stop word. */
  ids: new Int32Array(1024),
  /** The fast tokeniser's entries (terms the prompt lacks): where the term first occurs. */
  from: new Int32Array(1024),
  /** The reply's call number, for `PromptIndex.dictStamp` (a double: it never wraps). */
  call: 0,
};

function resetSeen(tokens: number): void {
  if (seen.hashes.length < tokens) {
    seen.hashes = new Int32Array(tokens);
    seen.ids = new Int32Array(tokens);
    seen.from = new Int32Array(tokens);
  }
  seen.call++;
  if (seen.stamp.length < 2 * tokens) {
    let size = seen.stamp.length;
    while (size < 2 * tokens) size *= 2;
    seen.stamp = new Int32Array(size);
    seen.entry = new Int32Array(size);
    seen.mask = size - 1;
    seen.generation = 0;
  }
  if (++seen.generation === 0x7fffffff) {
    seen.stamp.fill(0);
    seen.generation = 1;
  }
  seen.terms.length = 0;
}

/** The entry of `text.slice(from, to)` (with `hash`), or where it goes as -1 - slot. */
function findSeen(text: string, from: number, to: number, hash: number): number {
  const { mask, stamp, entry, generation, terms, hashes } = seen;
  let slot = hash & mask;
  while (stamp[slot] === generation) {
    const e = entry[slot] ?? 0;
    const term = terms[e] ?? '';
    if (hashes[e] === hash && term.length === to - from) {
      let i = 0;
      while (i < term.length && term.charCodeAt(i) === text.charCodeAt(from + i)) i++;
      if (i === term.length) return e;
    }
    slot = (slot + 1) & mask;
  }
  return -1 - slot;
}

let terms: ReplyTerms = {
  sentences: 0,
  vocabulary: 0,
  promptId: new Int32Array(1024),
  total: new Int32Array(1024),
  sentenceStart: new Int32Array(256),
  ids: new Int32Array(1024),
  counts: new Int32Array(1024),
};
/** Where a local id sits among the current sentence's pairs (valid from the sentence's start). */
let slot = new Int32Array(1024);

function replyTerms(reply: string, prompt: PromptIndex): ReplyTerms {
  // Tokens, and sentences too (a boundary needs a whitespace run after a character): at most this.
  const tokens = (reply.length >> 1) + 2;
  if (terms.ids.length < tokens || terms.sentenceStart.length < tokens + 2) {
    const size = Math.max(tokens, terms.ids.length);
    terms = {
      sentences: 0,
      vocabulary: 0,
      promptId: new Int32Array(size),
      total: new Int32Array(size),
      sentenceStart: new Int32Array(size + 2),
      ids: new Int32Array(size),
      counts: new Int32Array(size),
    };
    slot = new Int32Array(size);
  }
  resetSeen(tokens);
  if (!tokeniseFolded(reply, prompt)) {
    // A character whose lower case is not one code unit of its own (e.g. "İ", or "Σ", whose lower
    // case depends on its neighbours): the lower-cased copy of the reply, as scikit-learn would.
    resetSeen(tokens);
    tokeniseLowered(reply, sentenceBoundaries(reply), prompt.vocab);
  }
  return terms;
}

/**
 * Lower case and kind of each BMP code unit, filled on first sight: 0 unknown; -1 when its lower
 * case is not a single code unit or depends on context (only "Σ"); else (lower case << 2) | 1
 * when that is a word character, | 0 for whitespace (`isSpace`), | 2 for anything else.
 * Surrogates are handled apart (`astralFold`). A word character is `(fold & 1) === 1`.
 */
const FOLD = new Int32Array(65536);
const FOLD_SPACE = 0;
const FOLD_WORD = 1;
const FOLD_OTHER = 2;
/** The low bits of an astral word character (two code units, unchanged by lower-casing). */
const FOLD_ASTRAL_WORD = 3;

function foldOf(code: number): number {
  const char = String.fromCharCode(code);
  const lower = char.toLowerCase();
  let kind = FOLD_OTHER;
  if (isSpace(code)) kind = FOLD_SPACE;
  else if (WORD_CHAR.test(lower)) kind = FOLD_WORD;
  const fold = lower.length !== 1 || code === 0x3a3 ? -1 : (lower.charCodeAt(0) << 2) | kind;
  FOLD[code] = fold;
  return fold;
}

/** The fold of the code unit at `i` (a high surrogate, `code`): a pair lower-casing changes is -1. */
function astralFold(text: string, i: number, code: number): number {
  const low = text.charCodeAt(i + 1);
  if (!(low >= 0xdc00 && low <= 0xdfff)) return (code << 2) | FOLD_OTHER;
  const pair = text.slice(i, i + 2);
  if (pair.toLowerCase() !== pair) return -1;
  return (code << 2) | (WORD_CHAR.test(pair) ? FOLD_ASTRAL_WORD : FOLD_OTHER);
}

for (let code = 0; code < 128; code++) foldOf(code);

/**
 * The reply's terms and sentences in one pass over its characters, each lower-cased through
 * `FOLD` as it is read, with no lower-cased copy of the reply and no string for any token: a token
 * is looked up by its characters in place, first among the prompt's terms and the stop words
 * (`PromptIndex.dict*`, which settles most tokens), then among the reply's other terms, by where
 * each first occurs. Each whitespace run is checked for a sentence boundary as it is met
 * (`spaceRun`, what `sentenceBoundaries` does). False, having stopped, at a character `FOLD`
 * cannot lower-case alone.
 */
function tokeniseFolded(reply: string, prompt: PromptIndex): boolean {
  const { promptId, total, sentenceStart, ids, counts } = terms;
  const { mask, stamp, entry, generation, call } = seen;
  const seenHashes = seen.hashes;
  const seenIds = seen.ids;
  const seenFrom = seen.from;
  const { dictMask, dictSlot, dictHash, dictTerm, dictPromptId, dictStamp, dictLocal } = prompt;
  const slots = slot;
  const length = reply.length;
  let entries = 0;
  let vocabulary = 0;
  let pairs = 0;
  let sentence = 0;
  sentenceStart[0] = 0;
  let i = 0;
  while (i < length) {
    let code = reply.charCodeAt(i);
    let fold = code >= 0xd800 && code <= 0xdbff ? astralFold(reply, i, code) : (FOLD[code] ?? 0);
    if (fold === 0) fold = foldOf(code);
    if (fold < 0) return false;
    if ((fold & 1) === 0) {
      if ((fold & 3) === FOLD_SPACE) {
        const end = spaceRun(reply, i);
        if (end > 0) {
          sentence++;
          sentenceStart[sentence] = pairs;
          i = end;
        } else {
          i = -end;
        }
      } else {
        i++;
      }
      continue;
    }
    const from = i;
    let chars = 0;
    let hash = 0;
    for (;;) {
      if ((fold & 3) === FOLD_ASTRAL_WORD) {
        hash = (Math.imul(hash, 31) + code) | 0;
        hash = (Math.imul(hash, 31) + reply.charCodeAt(i + 1)) | 0;
        i += 2;
      } else {
        hash = (Math.imul(hash, 31) + (fold >> 2)) | 0;
        i++;
      }
      chars++;
      if (i >= length) break;
      code = reply.charCodeAt(i);
      if (code >= 0x61 && code <= 0x7a) {
        // A lower-case ASCII letter, most of any word.
        fold = (code << 2) | FOLD_WORD;
        continue;
      }
      fold = code >= 0xd800 && code <= 0xdbff ? astralFold(reply, i, code) : (FOLD[code] ?? 0);
      if (fold === 0) fold = foldOf(code);
      if (fold < 0) return false;
      if ((fold & 1) === 0) break;
    }
    const to = i;
    if (chars < 2) continue;
    hash = mixHash(hash);
    const size = to - from;

    // A prompt term or a stop word?
    let probe = hash & dictMask;
    let d = -1;
    for (let e = dictSlot[probe] ?? 0; e !== 0; e = dictSlot[probe] ?? 0) {
      if (dictHash[e - 1] === hash) {
        const term = dictTerm[e - 1] ?? '';
        if (term.length === size && sameFolded(term, reply, from)) {
          d = e - 1;
          break;
        }
      }
      probe = (probe + 1) & dictMask;
    }
    let id: number;
    if (d >= 0) {
      const term = dictPromptId[d] ?? -1;
      if (term < 0) continue; // a stop word
      if (dictStamp[d] === call) {
        id = dictLocal[d] ?? 0;
      } else {
        id = vocabulary++;
        dictStamp[d] = call;
        dictLocal[d] = id;
        promptId[id] = term;
        total[id] = 0;
        slots[id] = -1;
      }
    } else {
      // A term the prompt lacks: the reply's own, by the characters where it first occurred.
      probe = hash & mask;
      let found = -1;
      while (stamp[probe] === generation) {
        const e = entry[probe] ?? 0;
        if (seenHashes[e] === hash && sameFoldedAt(reply, seenFrom[e] ?? 0, from, size)) {
          found = e;
          break;
        }
        probe = (probe + 1) & mask;
      }
      if (found >= 0) {
        id = seenIds[found] ?? 0;
      } else {
        id = vocabulary++;
        const e = entries++;
        seenHashes[e] = hash;
        seenIds[e] = id;
        seenFrom[e] = from;
        stamp[probe] = generation;
        entry[probe] = e;
        promptId[id] = -1;
        total[id] = 0;
        slots[id] = -1;
      }
    }
    total[id] = (total[id] ?? 0) + 1;
    const at = slots[id] ?? -1;
    if (at >= (sentenceStart[sentence] ?? 0)) {
      counts[at] = (counts[at] ?? 0) + 1;
    } else {
      slots[id] = pairs;
      ids[pairs] = id;
      counts[pairs] = 1;
      pairs++;
    }
  }
  sentenceStart[sentence + 1] = pairs;
  terms.sentences = length === 0 ? 0 : sentence + 1;
  terms.vocabulary = vocabulary;
  return true;
}

/** The code unit `code` lower-cased through `FOLD` (filled for it: it was read), surrogates as they are. */
function foldedUnit(code: number): number {
  return code >= 0xd800 && code <= 0xdfff ? code : (FOLD[code] ?? 0) >> 2;
}

/** Whether `reply` from `from`, lower-cased, starts with `term`. */
function sameFolded(term: string, reply: string, from: number): boolean {
  for (let k = 0; k < term.length; k++) {
    const expected = term.charCodeAt(k);
    const code = reply.charCodeAt(from + k);
    // An ASCII character of a term is its own lower case.
    if (code === expected && code < 0x80) continue;
    if (expected !== foldedUnit(code)) return false;
  }
  return true;
}

/** Whether `reply` lower-cased holds the same `size` code units at `a` and at `b`. */
function sameFoldedAt(reply: string, a: number, b: number, size: number): boolean {
  for (let k = 0; k < size; k++) {
    const first = reply.charCodeAt(a + k);
    const second = reply.charCodeAt(b + k);
    if (first !== second && foldedUnit(first) !== foldedUnit(second)) return false;
  }
  return true;
}

/** The reply's terms from its lower-cased copy (or each sentence's, if lower-casing changed lengths). */
function tokeniseLowered(
  reply: string,
  ends: readonly number[],
  vocab: ReadonlyMap<string, number>,
): void {
  const sentences = reply === '' ? 0 : ends.length + 1;
  const { promptId, total, sentenceStart, ids, counts } = terms;
  let vocabulary = 0;
  let pairs = 0;
  let sentence = 0;
  sentenceStart[0] = 0;
  const tokenise = (lower: string, boundaries: readonly number[]) => {
    let boundary = boundaries[0] ?? Infinity;
    const length = lower.length;
    let i = 0;
    while (i < length) {
      let code = lower.charCodeAt(i);
      let width = code < 128 ? (ASCII_WORD[code] ?? 0) : wordWidth(lower, i);
      if (width === 0) {
        i++;
        continue;
      }
      const from = i;
      let chars = 0;
      let hash = 0;
      while (width !== 0) {
        hash = (Math.imul(hash, 31) + code) | 0;
        if (width === 2) hash = (Math.imul(hash, 31) + lower.charCodeAt(i + 1)) | 0;
        i += width;
        chars++;
        if (i >= length) break;
        code = lower.charCodeAt(i);
        width = code < 128 ? (ASCII_WORD[code] ?? 0) : wordWidth(lower, i);
      }
      if (chars < 2) continue;
      while (from >= boundary) {
        sentence++;
        sentenceStart[sentence] = pairs;
        boundary = boundaries[sentence] ?? Infinity;
      }
      const found = findSeen(lower, from, i, hash);
      let id: number;
      if (found >= 0) {
        id = seen.ids[found] ?? -1;
      } else {
        const term = lower.slice(from, i);
        id = ENGLISH_STOP_WORDS.has(term) ? -1 : vocabulary++;
        const e = seen.terms.length;
        seen.terms.push(term);
        seen.hashes[e] = hash;
        seen.ids[e] = id;
        seen.stamp[-1 - found] = seen.generation;
        seen.entry[-1 - found] = e;
        if (id >= 0) {
          promptId[id] = vocab.get(term) ?? -1;
          total[id] = 0;
          slot[id] = -1;
        }
      }
      if (id < 0) continue;
      total[id] = (total[id] ?? 0) + 1;
      const at = slot[id] ?? -1;
      if (at >= (sentenceStart[sentence] ?? 0)) {
        counts[at] = (counts[at] ?? 0) + 1;
      } else {
        slot[id] = pairs;
        ids[pairs] = id;
        counts[pairs] = 1;
        pairs++;
      }
    }
  };

  const lower = reply.toLowerCase();
  if (lower.length === reply.length) {
    tokenise(lower, ends);
  } else {
    // Lowercasing changed lengths (e.g. "İ"): each sentence's own lowercase, as scikit-learn would.
    splitSentences(reply).forEach((piece, i) => {
      if (i > 0) {
        sentence = i;
        sentenceStart[i] = pairs;
      }
      tokenise(piece.toLowerCase(), []);
    });
  }
  for (let s = sentence + 1; s <= sentences; s++) sentenceStart[s] = pairs;
  terms.sentences = sentences;
  terms.vocabulary = vocabulary;
}

// ---- the windows ----

/** Per-call buffers, reused (grown as needed). */
let buffers = {
  // Reply windows: window (start, end) is start * GUARD_MAX_RUN + (end - start - 1); the whole
  // reply, when longer than GUARD_MAX_RUN sentences, is the last.
  bound: new Float64Array(2048),
  windowTotal: new Float64Array(2048),
  distinct: new Int32Array(2048),
  // Per reply sentence k and distance d < GUARD_MAX_RUN, at k * GUARD_MAX_RUN + d (`bound`).
  growth: new Float64Array(2048),
  growthInPrompt: new Float64Array(2048),
  fresh: new Int32Array(2048),
  freshInPrompt: new Int32Array(2048),
  // Prompt windows.
  dot: new Float64Array(256),
  sharedReply: new Float64Array(256),
  sharedPrompt: new Float64Array(256),
  touched: new Int32Array(256),
  // Reply terms.
  last: new Int32Array(1024),
  applied: new Int32Array(1024),
  used: new Int32Array(1024),
  // Reply (sentence, term) pairs.
  previous: new Int32Array(1024),
  pairSentence: new Int32Array(1024),
};

function ensureBuffers(windows: number, promptWindows: number, vocabulary: number, pairs: number) {
  const b = buffers;
  if (
    b.bound.length < windows ||
    b.dot.length < promptWindows ||
    b.last.length < vocabulary ||
    b.previous.length < pairs
  ) {
    const w = Math.max(windows, b.bound.length);
    const p = Math.max(promptWindows, b.dot.length);
    const v = Math.max(vocabulary, b.last.length);
    const q = Math.max(pairs, b.previous.length);
    buffers = {
      bound: new Float64Array(w),
      windowTotal: new Float64Array(w),
      distinct: new Int32Array(w),
      growth: new Float64Array(w),
      growthInPrompt: new Float64Array(w),
      fresh: new Int32Array(w),
      freshInPrompt: new Int32Array(w),
      dot: new Float64Array(p),
      sharedReply: new Float64Array(p),
      sharedPrompt: new Float64Array(p),
      touched: new Int32Array(p),
      last: new Int32Array(v),
      applied: new Int32Array(v),
      used: new Int32Array(v),
      previous: new Int32Array(q),
      pairSentence: new Int32Array(q),
    };
  }
  return buffers;
}

export interface WindowsVerdict {
  /** The highest score of any pair that counts (0 when none). */
  score: number;
  /** The reply sentences [start, end) of that pair (the whole reply when none counts). */
  window: { start: number; end: number };
}

/** The best pair of windows of `reply` and of the prompt: exactly what scoring every pair gives. */
export function judgeWindows(reply: string, prompt: PromptIndex): WindowsVerdict {
  const terms = replyTerms(reply, prompt);
  const n = terms.sentences;
  if (n === 0) return { score: 0, window: { start: 0, end: 0 } };
  const search = new WindowSearch(
    terms,
    prompt,
    ensureBuffers(
      n * GUARD_MAX_RUN + 1,
      prompt.windowTotal.length,
      terms.vocabulary,
      terms.sentenceStart[n] ?? 0,
    ),
  );
  search.bound();
  search.search();
  return { score: search.best.score, window: search.best.window(n) };
}

/**
 * One reply's window search. Reply window (start, end) is slot start * GUARD_MAX_RUN +
 * (end - start - 1); the whole reply, when longer than GUARD_MAX_RUN sentences, is the last slot.
 */
class WindowSearch {
  readonly best = new Best();
  private readonly n: number;
  private readonly wholeSlot: number;
  private top = -1;
  private topBound = 0;
  // The postings' sums of the window being scored: (start `current`, end `reached`).
  private touchedCount = 0;
  private appliedCount = 0;
  private current = -1;
  private reached = 0;

  constructor(
    private readonly terms: ReplyTerms,
    private readonly prompt: PromptIndex,
    private readonly b: typeof buffers,
  ) {
    this.n = terms.sentences;
    this.wholeSlot = this.n * GUARD_MAX_RUN;
  }

  /**
   * Pass 1: every window's own sums and its bound; no postings. Adding sentence k to the window
   * of sentences [k - d, k) adds its squared counts plus twice the products of its counts with
   * those of the same terms in the d sentences before it, and the terms it holds that none of
   * those do. Both depend only on (k, d): one walk over the pairs tabulates them (each pair looks
   * back along its term's earlier pairs, fewer than GUARD_MAX_RUN sentences), and every window's
   * sums are then a few additions, whatever its sentences hold.
   */
  bound(): void {
    const { n } = this;
    const { sentenceStart, ids, counts, promptId, total, vocabulary } = this.terms;
    const { last, previous, pairSentence, growth, growthInPrompt, fresh, freshInPrompt } = this.b;
    const R = GUARD_MAX_RUN;
    last.fill(-1, 0, vocabulary);
    growth.fill(0, 0, n * R);
    growthInPrompt.fill(0, 0, n * R);
    fresh.fill(0, 0, n * R);
    freshInPrompt.fill(0, 0, n * R);
    for (let k = 0; k < n; k++) {
      const base = k * R;
      const end = sentenceStart[k + 1] ?? 0;
      for (let q = sentenceStart[k] ?? 0; q < end; q++) {
        const id = ids[q] ?? 0;
        const c = counts[q] ?? 0;
        const inPrompt = (promptId[id] ?? -1) >= 0;
        growth[base] = (growth[base] ?? 0) + c * c;
        fresh[base] = (fresh[base] ?? 0) + 1;
        if (inPrompt) {
          growthInPrompt[base] = (growthInPrompt[base] ?? 0) + c * c;
          freshInPrompt[base] = (freshInPrompt[base] ?? 0) + 1;
        }
        let nearest = true;
        for (let p = last[id] ?? -1; p >= 0; p = previous[p] ?? -1) {
          const d = k - (pairSentence[p] ?? 0);
          if (d >= R) break;
          const product = 2 * c * (counts[p] ?? 0);
          growth[base + d] = (growth[base + d] ?? 0) + product;
          if (inPrompt) growthInPrompt[base + d] = (growthInPrompt[base + d] ?? 0) + product;
          if (nearest) {
            // From this distance on, the term is in the window already.
            fresh[base + d] = (fresh[base + d] ?? 0) - 1;
            if (inPrompt) freshInPrompt[base + d] = (freshInPrompt[base + d] ?? 0) - 1;
            nearest = false;
          }
        }
        previous[q] = last[id] ?? -1;
        last[id] = q;
        pairSentence[q] = k;
      }
      for (let d = 1; d < R; d++) {
        growth[base + d] = (growth[base + d] ?? 0) + (growth[base + d - 1] ?? 0);
        growthInPrompt[base + d] =
          (growthInPrompt[base + d] ?? 0) + (growthInPrompt[base + d - 1] ?? 0);
        fresh[base + d] = (fresh[base + d] ?? 0) + (fresh[base + d - 1] ?? 0);
        freshInPrompt[base + d] =
          (freshInPrompt[base + d] ?? 0) + (freshInPrompt[base + d - 1] ?? 0);
      }
    }
    for (let start = 0; start < n; start++) {
      const stop = Math.min(n, start + R);
      let distinct = 0;
      let sum = 0;
      let inPrompt = 0;
      let shared = 0;
      for (let end = start + 1; end <= stop; end++) {
        const at = (end - 1) * R + (end - 1 - start);
        sum += growth[at] ?? 0;
        inPrompt += growthInPrompt[at] ?? 0;
        distinct += fresh[at] ?? 0;
        shared += freshInPrompt[at] ?? 0;
        const slot = start * R + (end - start - 1);
        this.setBound(slot, start === 0 && end === n, distinct, sum, inPrompt, shared);
      }
    }
    if (n > GUARD_MAX_RUN) {
      let sum = 0;
      let inPrompt = 0;
      let shared = 0;
      for (let id = 0; id < vocabulary; id++) {
        const square = (total[id] ?? 0) * (total[id] ?? 0);
        sum += square;
        if ((promptId[id] ?? -1) >= 0) {
          inPrompt += square;
          shared++;
        }
      }
      this.setBound(this.wholeSlot, true, vocabulary, sum, inPrompt, shared);
    }
  }

  /**
   * The most a window can score: its reply-side factor sqrt(inPrompt / norm) (as if every term
   * the prompt has were shared with one prompt window) times `promptBound[shared]`.
   */
  private setBound(
    slot: number,
    whole: boolean,
    distinct: number,
    sum: number,
    inPrompt: number,
    shared: number,
  ): void {
    const { bound, windowTotal } = this.b;
    windowTotal[slot] = sum;
    this.b.distinct[slot] = distinct;
    let value = 0;
    if (inPrompt > 0 && (whole || distinct >= GUARD_SHORT_WINDOW_TERMS)) {
      value =
        Math.sqrt(inPrompt / (inPrompt + IDF2 * (sum - inPrompt))) *
        (this.prompt.promptBound[shared] ?? 1) *
        BOUND_SLACK;
      // A short window only counts from GUARD_SHORT_PAIR_SCORE.
      if (!whole && distinct < GUARD_MIN_WINDOW_TERMS && value < GUARD_SHORT_PAIR_SCORE) value = 0;
    }
    bound[slot] = value;
    if (value > this.topBound) {
      this.topBound = value;
      this.top = slot;
    }
  }

  /**
   * Pass 2: exact scores through the postings, the highest bound first (a good best score early
   * skips more windows), then start by start for the windows whose bound can still matter.
   */
  search(): void {
    const { n, top, wholeSlot } = this;
    if (top < 0) return;
    this.evaluate(top);
    for (let start = 0; start < n; start++) {
      const runs = Math.min(GUARD_MAX_RUN, n - start);
      for (let run = 0; run < runs; run++) {
        const slot = start * GUARD_MAX_RUN + run;
        if (this.matters(slot)) this.evaluate(slot);
      }
    }
    if (n > GUARD_MAX_RUN && this.matters(wholeSlot)) this.evaluate(wholeSlot);
    this.clear();
  }

  private matters(slot: number): boolean {
    const value = this.b.bound[slot] ?? 0;
    return slot !== this.top && value !== 0 && value >= this.best.score - TIE;
  }

  private evaluate(slot: number): void {
    const { n } = this;
    if (slot === this.wholeSlot) {
      this.clear();
      this.current = -1;
      const { vocabulary, total } = this.terms;
      for (let id = 0; id < vocabulary; id++) this.addTerm(id, total[id] ?? 0);
      this.best.offer(this.score(slot, true), 0, n);
      return;
    }
    const start = Math.floor(slot / GUARD_MAX_RUN);
    const end = start + (slot % GUARD_MAX_RUN) + 1;
    this.reach(start, end);
    this.best.offer(this.score(slot, start === 0 && end === n), start, end);
  }

  /** Brings the postings' sums to the window (start, end), from those of (start, reached). */
  private reach(start: number, end: number): void {
    if (this.current !== start || this.reached > end) {
      this.clear();
      this.current = start;
      this.reached = start;
    }
    const { sentenceStart, ids, counts } = this.terms;
    const last = sentenceStart[end] ?? 0;
    for (let p = sentenceStart[this.reached] ?? 0; p < last; p++)
      this.addTerm(ids[p] ?? 0, counts[p] ?? 0);
    this.reached = end;
  }

  private addTerm(id: number, added: number): void {
    const term = this.terms.promptId[id] ?? -1;
    if (term < 0) return;
    const { applied, used, dot, sharedReply, sharedPrompt, touched } = this.b;
    const { postingStart, postingWindow, postingCount } = this.prompt;
    const before = applied[id] ?? 0;
    const after = before + added;
    applied[id] = after;
    const growth = after * after - before * before;
    const first = postingStart[term] ?? 0;
    const last = postingStart[term + 1] ?? 0;
    if (before !== 0) {
      // Every window holding the term is touched already (its dot product is positive).
      for (let p = first; p < last; p++) {
        const w = postingWindow[p] ?? 0;
        dot[w] = (dot[w] ?? 0) + added * (postingCount[p] ?? 0);
        sharedReply[w] = (sharedReply[w] ?? 0) + growth;
      }
      return;
    }
    used[this.appliedCount++] = id;
    let touchedCount = this.touchedCount;
    for (let p = first; p < last; p++) {
      const w = postingWindow[p] ?? 0;
      const c = postingCount[p] ?? 0;
      if (dot[w] === 0) touched[touchedCount++] = w;
      dot[w] = (dot[w] ?? 0) + added * c;
      sharedReply[w] = (sharedReply[w] ?? 0) + growth;
      sharedPrompt[w] = (sharedPrompt[w] ?? 0) + c * c;
    }
    this.touchedCount = touchedCount;
  }

  private score(slot: number, whole: boolean): number {
    const { windowTotal, distinct, dot, sharedReply, sharedPrompt, touched } = this.b;
    const { windowTotal: promptTotal, windowFlags } = this.prompt;
    const sum = windowTotal[slot] ?? 0;
    const d = distinct[slot] ?? 0;
    let value = 0;
    // A score under the best of every window so far (less the tie margin) changes nothing: `offer`
    // drops it. So pairs below that, or below this window's best so far, need no exact score.
    let cut = Math.max(0, this.best.score - TIE);
    for (let t = 0; t < this.touchedCount; t++) {
      const w = touched[t] ?? 0;
      const product = dot[w] ?? 0;
      const reply = sharedReply[w] ?? 0;
      const shared = sharedPrompt[w] ?? 0;
      const promptSum = promptTotal[w] ?? 0;
      // Without a square root first: a pair clearly below the cut is skipped.
      const norms = (reply + IDF2 * (sum - reply)) * (shared + IDF2 * (promptSum - shared));
      if (product * product * BOUND_SLACK < cut * cut * norms) continue;
      const pair = pairSimilarity(product, reply, sum, shared, promptSum);
      if (pair > value && pairCounts(windowFlags[w] ?? 0, whole, d, pair)) {
        value = pair;
        if (pair > cut) cut = pair;
      }
    }
    return value;
  }

  private clear(): void {
    const { dot, sharedReply, sharedPrompt, touched, applied, used } = this.b;
    for (let t = 0; t < this.touchedCount; t++) {
      const w = touched[t] ?? 0;
      dot[w] = 0;
      sharedReply[w] = 0;
      sharedPrompt[w] = 0;
    }
    for (let u = 0; u < this.appliedCount; u++) applied[used[u] ?? 0] = 0;
    this.touchedCount = 0;
    this.appliedCount = 0;
  }
}
