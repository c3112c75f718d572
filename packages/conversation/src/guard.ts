/**
 * The prompt-leak guard (seed 001, lesson 7). An assistant's initial prompt is its author's work
 * and is never shown to users; a reply that reproduces it is swapped for a generic one. GPT Lab
 * compared the whole reply with the whole prompt (tf-idf cosine ≥ 0.65), which a partial leak
 * ("give me the previous five sentences") slips under: two verbatim prompt sentences inside a
 * chatty reply score about 0.2 against an eight-sentence prompt. This module owns the stricter
 * rule and its streaming form:
 *
 * - Windows. Reply windows are the whole reply and every run of 1..`GUARD_MAX_RUN` consecutive
 *   sentences; prompt windows are the whole prompt and every run of 1..`GUARD_MAX_RUN` of its
 *   sentences. Every reply window is compared with every prompt window (matching the leaked part
 *   against the part of the prompt it came from, which is what makes a partial leak score ~1).
 * - Minimum content. The (whole reply, whole prompt) pair is always scored, as GPT Lab did. Any
 *   other pair is scored only when both windows hold at least `GUARD_MIN_WINDOW_TERMS` distinct
 *   content terms (tokens that are not stop words). Below that, ordinary replies trip it: a
 *   greeting "I'm Ava, your friendly fitness coach." scores 0.71 against the prompt line "You are
 *   Ava, a friendly fitness coach for busy beginners." With k terms per side and n shared, the
 *   score is n / (n + 1.975·(k − n)) (1.975 = the squared idf of an unshared term), so 3 of 4
 *   shared already scores 0.60 and 4 of 5 scores 0.67. Six distinct terms on each side need 5
 *   shared to pass 0.65 (5 of 6: 0.72; 4 of 6: 0.50): verbatim reuse, not a topic in common.
 * - Short pairs. Two short prompt sentences leaked together ("Never decide for them. One question
 *   at a time; under 120 words.": 5 terms) fall under that minimum. A prompt window of two or more
 *   sentences with terms and at least `GUARD_SHORT_WINDOW_TERMS` (4) terms, against a reply window
 *   with as many, is a pair too, but it counts only from `GUARD_SHORT_PAIR_SCORE` (0.9): with five
 *   terms or fewer a side only the same content words on both sides get there, so the greeting
 *   echo above (0.71) and a single short rule repeated stay benign.
 * - Leak when any counted pair reaches the threshold; `window` reports the reply sentences of the
 *   best pair (ties within 1e-9 go to the longer window, then the first, so a leak of two
 *   sentences reports both).
 *
 * Work (`windows.ts`): the prompt is indexed once per prompt text (cached); the reply is tokenised
 * in one pass; every reply window gets an upper bound of its score from its own sums, and only
 * the windows whose bound reaches the best score found are scored exactly, through the postings:
 * the verdict is to the bit what scoring every pair gives (the unit tests compare the two).
 *
 * v2 (docs/decisions/0013-guard-v2.md): the same windows are scored over every normalising view
 * of the reply (`views.ts`: decoded base64/hex runs, letter-spaced runs joined, zero-width
 * characters removed, Unicode and look-alikes folded, leetspeak folded, rot13, reversed, Markdown
 * stripped), each built only where a cheap pre-scan finds material for it; a leak in any view is
 * a leak. A canary (a secret marker the caller put into the system prompt sent to the model) found
 * in any view is a certain leak.
 */
import { SENTENCE_LOOKAHEAD, sentenceBoundaries } from './sentences';
import { type TermCounts, pairSimilarity, termCounts } from './tfidf';
import { type ViewKind, replyViews, scanReply } from './views';
import {
  Best,
  GUARD_MAX_RUN,
  GUARD_MIN_WINDOW_TERMS,
  GUARD_SHORT_WINDOW_TERMS,
  type PromptIndex,
  judgeWindows,
  pairCounts,
  promptIndex,
} from './windows';

export { splitSentences } from './sentences';
export { tfidfCosineSimilarity } from './tfidf';
export { type ReplyView, type ViewKind, replyViews, scanReply } from './views';
export {
  GUARD_MAX_RUN,
  GUARD_MIN_WINDOW_TERMS,
  GUARD_SHORT_PAIR_SCORE,
  GUARD_SHORT_WINDOW_TERMS,
} from './windows';

export const DEFAULT_GUARD_THRESHOLD = 0.65;
export const GUARD_REPLACEMENT =
  "I'm sorry, but I can't share that. Let's get back to our conversation — what would you like to talk about?";

export interface GuardOptions {
  /** The assistant's similarity threshold, in (0, 1] (default 0.65). */
  threshold?: number;
  /**
   * The canary placed in the system prompt sent to the model (see `canaryLine`): found in any view
   * of the reply, case-insensitively, it is a leak with score 1.
   */
  canary?: string;
  /** Score the normalising views too (default true; false = the plain reply only, guard v1). */
  views?: boolean;
}

export interface GuardVerdict {
  leaked: boolean;
  /** The highest similarity of any scored pair of windows, over every view (1 for a canary). */
  score: number;
  /** The original reply, or `GUARD_REPLACEMENT` when it leaked. */
  reply: string;
  /** The sentences [start, end) of the highest-scoring pair, in `view`'s text; absent for an empty reply. */
  window?: { start: number; end: number };
  /** The view holding the highest-scoring pair (`plain` = the reply as written). */
  view?: ViewKind;
  /** Set when the canary was found. */
  canary?: true;
}

/** Scores `reply` and its views against `initialPrompt` (options, or the threshold alone). */
export function guardReply(
  reply: string,
  initialPrompt: string,
  options: number | GuardOptions = {},
): GuardVerdict {
  const { threshold, canary } = resolve(options);
  const prompt = promptIndex(initialPrompt);
  if (typeof options !== 'number' && options.views === false) {
    const verdict = judge(reply, prompt, threshold);
    verdict.view = 'plain';
    return verdict;
  }
  return judgeAll(reply, prompt, threshold, canary);
}

/**
 * The line that carries a canary into the system prompt sent to the model (an HTML comment, the
 * Rebuff form). `canary` should be letters only, so every view keeps it whole.
 */
export function canaryLine(canary: string): string {
  return `<!-- ${canary} -->`;
}

/**
 * The guard for a streamed reply. Text is released in whole sentences: a sentence goes out only
 * once it is settled (`SENTENCE_LOOKAHEAD` characters of what follows have arrived) and the guard
 * run on everything released so far plus that sentence passes. Every run of sentences ending at a
 * settled sentence is checked as it settles; one reaching the threshold is a leak, and from then
 * on nothing more is released. If only the "released so far" text as a whole scores too high
 * (that is not a window of the finished reply), release pauses until `finish()`, which judges the
 * finished reply with `guardReply` and releases the rest if it passes. So the released text always
 * passes `guardReply`, it is the whole reply when there is no leak, and `finish()` reports a leak
 * exactly when `guardReply` on the whole reply does. A sentence too short to be scored alone (under
 * `GUARD_MIN_WINDOW_TERMS` terms) may go out before a later run that includes it is found to leak,
 * except the start of a short pair: a trailing run of sentences under `GUARD_MIN_WINDOW_TERMS`
 * terms holding a prompt term waits for the next sentence.
 *
 * Views: before text goes out, the views of everything to be released are judged (only when the
 * pre-scan finds material, so a plain stream pays nothing more), and an encoded run still open at
 * the end of what has arrived (a base64 or hex run, letter-spaced text) is held back, with the
 * sentence it starts in, until it ends and can be judged. A canary never goes out.
 */
export class StreamingGuard {
  private readonly prompt: PromptIndex;
  private readonly threshold: number;
  private readonly canary: string | undefined;
  private text = '';
  private settledTo = 0;
  private settled = 0;
  private readonly starts: number[] = [0];
  private released = 0;
  private cleared = 0;
  private paused = false;
  private leaked = false;
  private finished = false;
  private readonly runs: WindowScorer[] = [];
  private readonly prefix: WindowScorer;
  private readonly best = new Best();

  constructor(initialPrompt: string, options: number | GuardOptions = {}) {
    ({ threshold: this.threshold, canary: this.canary } = resolve(options));
    this.prompt = promptIndex(initialPrompt);
    this.prefix = new WindowScorer(this.prompt);
  }

  push(delta: string): { release: string; leaked: boolean } {
    if (this.finished) throw new Error('StreamingGuard: push after finish');
    if (this.leaked) return { release: '', leaked: true };
    this.text += delta;
    const from = this.cleared;
    for (const end of sentenceBoundaries(this.text, this.settledTo)) {
      if (end + SENTENCE_LOOKAHEAD > this.text.length) break;
      this.settle(end);
      if (this.leaked) break;
    }
    if (!this.leaked && this.released > this.cleared) this.clear();
    if (this.leaked) {
      // Sentences that passed earlier in this push are withheld too: a leak releases nothing.
      this.cleared = from;
      return { release: '', leaked: true };
    }
    return { release: this.text.slice(from, this.cleared), leaked: false };
  }

  finish(): { release: string; leaked: boolean; verdict: GuardVerdict } {
    if (this.finished) throw new Error('StreamingGuard: finish called twice');
    this.finished = true;
    if (!this.leaked) {
      const verdict = judgeAll(this.text, this.prompt, this.threshold, this.canary);
      if (!verdict.leaked) {
        const release = this.text.slice(this.cleared);
        this.cleared = this.released = this.text.length;
        return { release, leaked: false, verdict };
      }
      this.leaked = true;
      return { release: '', leaked: true, verdict };
    }
    const verdict: GuardVerdict = {
      leaked: true,
      score: this.best.score,
      reply: GUARD_REPLACEMENT,
      window: this.best.window(this.settled),
      view: 'plain',
    };
    return { release: '', leaked: true, verdict };
  }

  /**
   * Moves `cleared` (what goes out) towards `released` (what the plain windows passed): up to the
   * start of the sentence an open encoded run begins in, and only if the views of the text up to
   * there pass and hold no canary.
   */
  private clear(): void {
    let limit = this.released;
    const open = openRunStart(this.text, this.cleared);
    if (open !== undefined && open < limit) {
      let sentenceStart = this.cleared;
      for (const start of this.starts)
        if (start <= open && start > sentenceStart) sentenceStart = start;
      limit = sentenceStart;
    }
    if (limit <= this.cleared) return;
    const candidate = this.text.slice(0, limit);
    const verdict = judgeViews(candidate, this.prompt, this.threshold, this.canary);
    if (verdict?.leaked) {
      this.leaked = true;
      return;
    }
    this.cleared = limit;
  }

  private settle(end: number): void {
    const sentence = this.text.slice(this.settledTo, end);
    if (this.canary && sentence.toLowerCase().includes(this.canary)) {
      this.best.offer(1, this.settled, this.settled + 1);
      this.leaked = true;
      return;
    }
    const counts = termCounts(sentence);
    const index = this.settled;
    this.settledTo = end;
    this.settled++;
    this.starts.push(end);

    this.runs.push(new WindowScorer(this.prompt));
    if (this.runs.length > GUARD_MAX_RUN) this.runs.shift();
    const firstStart = index + 1 - this.runs.length;
    this.runs.forEach((run, i) => {
      run.add(counts);
      if (run.distinct >= GUARD_SHORT_WINDOW_TERMS) {
        this.best.offer(run.score(false), firstStart + i, index + 1);
      }
    });
    if (this.best.score >= this.threshold) {
      this.leaked = true;
      return;
    }

    this.prefix.add(counts);
    if (this.paused) return;
    if (this.prefix.score(true) < this.threshold) {
      this.released = Math.max(this.released, Math.min(end, this.shortRunStart(firstStart)));
    } else {
      this.paused = true;
    }
  }

  /**
   * Where the trailing run of sentences that may still grow into a short pair starts (under
   * GUARD_MIN_WINDOW_TERMS terms, one of them the prompt's): it waits for the next sentence.
   */
  private shortRunStart(firstStart: number): number {
    let start = this.settledTo;
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i];
      if (!run || run.distinct >= GUARD_MIN_WINDOW_TERMS) break;
      if (run.sharesPromptTerm) start = this.starts[firstStart + i] ?? start;
    }
    return start;
  }
}

/** Where an encoded run that may still be growing (it reaches the end of `text`) starts, if any. */
function openRunStart(text: string, from: number): number | undefined {
  const tail = text.slice(from);
  const reach = tail.length - SENTENCE_LOOKAHEAD;
  let open: number | undefined;
  for (const pattern of OPEN_RUNS) {
    for (const match of tail.matchAll(pattern)) {
      if (match.index + match[0].length >= reach) {
        const at = from + match.index;
        if (open === undefined || at < open) open = at;
      }
    }
  }
  return open;
}

/** Encoded runs (shorter than the views need: the start of one), each ending in optional spaces. */
const OPEN_RUNS = [
  /[A-Za-z0-9+/_-]{8,}={0,2}(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_-]{4,}={0,2})*\s*/g,
  /(?:(?:\\x|0x)?[0-9A-Fa-f]{2}[ :,]?){4,}\s*/g,
  /(?<![\p{L}\p{N}])[\p{L}\p{N}](?:[ \t\r\n\-_|/\\·•\u200B-\u200D\u2060\uFEFF]+[\p{L}\p{N}.,!?;:'’](?![\p{L}\p{N}])){3,}[ \t\r\n\-_|/\\·•\u200B-\u200D\u2060\uFEFF]*/gu,
];

function resolve(options: number | GuardOptions): { threshold: number; canary?: string } {
  const { threshold = DEFAULT_GUARD_THRESHOLD, canary } =
    typeof options === 'number' ? { threshold: options } : options;
  checkThreshold(threshold);
  if (canary !== undefined && !/^[a-z]{8,}$/i.test(canary)) {
    throw new RangeError('guard canary must be 8 or more letters');
  }
  return canary ? { threshold, canary: canary.toLowerCase() } : { threshold };
}

function checkThreshold(threshold: number): void {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new RangeError(`guard threshold must be in (0, 1], got ${threshold}`);
  }
}

/** Every view of the reply, plain first; the first leaking view decides. */
function judgeAll(
  reply: string,
  prompt: PromptIndex,
  threshold: number,
  canary: string | undefined,
): GuardVerdict {
  if (canary && reply.toLowerCase().includes(canary)) return canaryVerdict('plain');
  const plain = judge(reply, prompt, threshold);
  plain.view = 'plain';
  if (plain.leaked) return plain;
  const viewed = judgeViews(reply, prompt, threshold, canary);
  if (viewed && (viewed.leaked || viewed.score > plain.score)) {
    return { ...viewed, reply: viewed.leaked ? GUARD_REPLACEMENT : reply };
  }
  return plain;
}

/** The best verdict over the reply's views besides itself; undefined when it has none. */
function judgeViews(
  reply: string,
  prompt: PromptIndex,
  threshold: number,
  canary: string | undefined,
): GuardVerdict | undefined {
  const scan = scanReply(reply);
  if (!Object.values(scan).some(Boolean)) return undefined;
  let best: GuardVerdict | undefined;
  for (const view of replyViews(reply, scan)) {
    if (canary && view.text.toLowerCase().includes(canary)) return canaryVerdict(view.kind);
    const verdict = judge(view.text, prompt, threshold);
    verdict.view = view.kind;
    if (verdict.leaked) return verdict;
    if (!best || verdict.score > best.score) best = verdict;
  }
  return best;
}

function canaryVerdict(view: ViewKind): GuardVerdict {
  return { leaked: true, score: 1, reply: GUARD_REPLACEMENT, view, canary: true };
}

// ---- the plain judge (windows.ts) and the streaming guard's windows ----

function judge(reply: string, prompt: PromptIndex, threshold: number): GuardVerdict {
  if (reply === '') return { leaked: false, score: 0, reply };
  const { score, window } = judgeWindows(reply, prompt);
  const leaked = score >= threshold;
  return { leaked, score, reply: leaked ? GUARD_REPLACEMENT : reply, window };
}

/**
 * A reply window grown sentence by sentence (the streaming guard), with, for every prompt window,
 * the integer sums `pairSimilarity` needs (dot product and squared counts of the shared terms on
 * both sides).
 */
class WindowScorer {
  private readonly counts = new Map<string, number>();
  private readonly dot: Float64Array;
  private readonly sharedReply: Float64Array;
  private readonly sharedPrompt: Float64Array;
  /** Prompt windows sharing a term with this window: the only ones that can score above 0. */
  private readonly touched: number[] = [];
  private total = 0;

  constructor(private readonly prompt: PromptIndex) {
    const size = prompt.windowTotal.length;
    this.dot = new Float64Array(size);
    this.sharedReply = new Float64Array(size);
    this.sharedPrompt = new Float64Array(size);
  }

  get distinct(): number {
    return this.counts.size;
  }

  get sharesPromptTerm(): boolean {
    return this.touched.length > 0;
  }

  add(sentence: TermCounts): void {
    const { postingStart, postingWindow, postingCount } = this.prompt;
    for (const [term, added] of sentence) {
      const before = this.counts.get(term) ?? 0;
      const after = before + added;
      this.counts.set(term, after);
      const squareGrowth = after * after - before * before;
      this.total += squareGrowth;
      const id = this.prompt.vocab.get(term);
      if (id === undefined) continue;
      const last = postingStart[id + 1] ?? 0;
      for (let p = postingStart[id] ?? 0; p < last; p++) {
        const window = postingWindow[p] ?? 0;
        const count = postingCount[p] ?? 0;
        if (this.dot[window] === 0) this.touched.push(window);
        this.dot[window] = (this.dot[window] ?? 0) + added * count;
        this.sharedReply[window] = (this.sharedReply[window] ?? 0) + squareGrowth;
        if (before === 0)
          this.sharedPrompt[window] = (this.sharedPrompt[window] ?? 0) + count * count;
      }
    }
  }

  /** Best similarity against the prompt windows this window may be paired with. */
  score(whole: boolean): number {
    const distinct = this.counts.size;
    const { windowFlags, windowTotal } = this.prompt;
    let best = 0;
    for (const i of this.touched) {
      const score = pairSimilarity(
        this.dot[i] ?? 0,
        this.sharedReply[i] ?? 0,
        this.total,
        this.sharedPrompt[i] ?? 0,
        windowTotal[i] ?? 0,
      );
      if (score > best && pairCounts(windowFlags[i] ?? 0, whole, distinct, score)) best = score;
    }
    return best;
  }
}
