/**
 * The guard as it was before v2 (one view, the prompt indexed on every call, Map-based windows),
 * kept verbatim for the bench's same-run comparison of cost: the machine's load moves absolute
 * figures, the ratio to this one does not. Not used by any service.
 */
import {
  SENTENCE_LOOKAHEAD,
  sentenceBoundaries,
  splitSentences,
} from '@lab/conversation/dist/src/sentences';
import { type TermCounts, pairSimilarity, termCounts } from '@lab/conversation/dist/src/tfidf';

export const DEFAULT_GUARD_THRESHOLD = 0.65;
export const GUARD_REPLACEMENT =
  "I'm sorry, but I can't share that. Let's get back to our conversation — what would you like to talk about?";
/** The longest run of consecutive sentences scored as one window (besides the whole text). */
export const GUARD_MAX_RUN = 8;
/** Distinct content terms both windows of a pair need, unless it is (whole reply, whole prompt). */
export const GUARD_MIN_WINDOW_TERMS = 6;

export interface GuardVerdict {
  leaked: boolean;
  /** The highest similarity of any scored pair of windows. */
  score: number;
  /** The original reply, or `GUARD_REPLACEMENT` when it leaked. */
  reply: string;
  /** The reply sentences [start, end) of the highest-scoring pair; absent for an empty reply. */
  window?: { start: number; end: number };
}

/** Scores `reply` against `initialPrompt`; `threshold` is the assistant's (default 0.65). */
export function guardReply(
  reply: string,
  initialPrompt: string,
  threshold = DEFAULT_GUARD_THRESHOLD,
): GuardVerdict {
  checkThreshold(threshold);
  return judge(reply, new PromptIndex(initialPrompt), threshold);
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
 * `GUARD_MIN_WINDOW_TERMS` terms) may go out before a later run that includes it is found to leak.
 */
export class StreamingGuard {
  private readonly prompt: PromptIndex;
  private text = '';
  private settledTo = 0;
  private settled = 0;
  private released = 0;
  private paused = false;
  private leaked = false;
  private finished = false;
  private readonly runs: WindowScorer[] = [];
  private readonly prefix: WindowScorer;
  private readonly best = new Best();

  constructor(
    initialPrompt: string,
    private readonly threshold = DEFAULT_GUARD_THRESHOLD,
  ) {
    checkThreshold(threshold);
    this.prompt = new PromptIndex(initialPrompt);
    this.prefix = new WindowScorer(this.prompt);
  }

  push(delta: string): { release: string; leaked: boolean } {
    if (this.finished) throw new Error('StreamingGuard: push after finish');
    if (this.leaked) return { release: '', leaked: true };
    this.text += delta;
    const from = this.released;
    for (const end of sentenceBoundaries(this.text, this.settledTo)) {
      if (end + SENTENCE_LOOKAHEAD > this.text.length) break;
      this.settle(end);
      if (this.leaked) {
        // Sentences that passed earlier in this push are withheld too: a leak releases nothing.
        this.released = from;
        return { release: '', leaked: true };
      }
    }
    return { release: this.text.slice(from, this.released), leaked: false };
  }

  finish(): { release: string; leaked: boolean; verdict: GuardVerdict } {
    if (this.finished) throw new Error('StreamingGuard: finish called twice');
    this.finished = true;
    if (!this.leaked) {
      const verdict = judge(this.text, this.prompt, this.threshold);
      if (!verdict.leaked) {
        const release = this.text.slice(this.released);
        this.released = this.text.length;
        return { release, leaked: false, verdict };
      }
      this.leaked = true;
      return { release: '', leaked: true, verdict };
    }
    return {
      release: '',
      leaked: true,
      verdict: this.best.verdict(GUARD_REPLACEMENT, true),
    };
  }

  private settle(end: number): void {
    const counts = termCounts(this.text.slice(this.settledTo, end));
    const index = this.settled;
    this.settledTo = end;
    this.settled++;

    this.runs.push(new WindowScorer(this.prompt));
    if (this.runs.length > GUARD_MAX_RUN) this.runs.shift();
    const firstStart = index + 1 - this.runs.length;
    this.runs.forEach((run, i) => {
      run.add(counts);
      if (run.distinct >= GUARD_MIN_WINDOW_TERMS) {
        this.best.offer(run.score(false), firstStart + i, index + 1);
      }
    });
    if (this.best.score >= this.threshold) {
      this.leaked = true;
      return;
    }

    this.prefix.add(counts);
    if (this.paused) return;
    if (this.prefix.score(true) < this.threshold) this.released = end;
    else this.paused = true;
  }
}

function checkThreshold(threshold: number): void {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new RangeError(`guard threshold must be in (0, 1], got ${threshold}`);
  }
}

function judge(reply: string, prompt: PromptIndex, threshold: number): GuardVerdict {
  const sentences = splitSentences(reply).map(termCounts);
  const n = sentences.length;
  if (n === 0) return { leaked: false, score: 0, reply };
  const best = new Best();
  for (let start = 0; start < n; start++) {
    const run = new WindowScorer(prompt);
    const stop = Math.min(n, start + GUARD_MAX_RUN);
    for (let end = start + 1; end <= stop; end++) {
      run.add(sentences[end - 1] ?? new Map());
      const whole = start === 0 && end === n;
      if (whole || run.distinct >= GUARD_MIN_WINDOW_TERMS) best.offer(run.score(whole), start, end);
    }
  }
  if (n > GUARD_MAX_RUN) {
    const whole = new WindowScorer(prompt);
    for (const counts of sentences) whole.add(counts);
    best.offer(whole.score(true), 0, n);
  }
  const leaked = best.score >= threshold;
  return best.verdict(leaked ? GUARD_REPLACEMENT : reply, leaked);
}

class Best {
  score = 0;
  private start = -1;
  private end = -1;

  offer(score: number, start: number, end: number): void {
    const better =
      this.start < 0 ||
      score > this.score + 1e-9 ||
      (score >= this.score - 1e-9 && end - start > this.end - this.start);
    if (better) {
      this.start = start;
      this.end = end;
    }
    this.score = Math.max(this.score, score);
  }

  verdict(reply: string, leaked: boolean): GuardVerdict {
    const verdict: GuardVerdict = { leaked, score: this.score, reply };
    if (this.start >= 0) verdict.window = { start: this.start, end: this.end };
    return verdict;
  }
}

interface PromptWindow {
  /** The whole prompt (always paired with the whole reply). */
  whole: boolean;
  /** Holds enough distinct terms to be paired with any reply window that does too. */
  scoreable: boolean;
  /** Σ count² over its terms. */
  total: number;
}

/** The prompt's windows and, for each term, the windows holding it with its count there. */
class PromptIndex {
  readonly windows: PromptWindow[] = [];
  readonly postings = new Map<string, { window: number; count: number }[]>();

  constructor(initialPrompt: string) {
    const sentences = splitSentences(initialPrompt).map(termCounts);
    const whole = new Map<string, number>();
    for (const counts of sentences) addCounts(whole, counts);
    this.addWindow(whole, true);
    for (let start = 0; start < sentences.length; start++) {
      const run = new Map<string, number>();
      const stop = Math.min(sentences.length, start + GUARD_MAX_RUN);
      for (let end = start + 1; end <= stop; end++) {
        addCounts(run, sentences[end - 1] ?? new Map());
        const isWhole = start === 0 && end === sentences.length;
        if (!isWhole && run.size >= GUARD_MIN_WINDOW_TERMS) this.addWindow(run, false);
      }
    }
  }

  private addWindow(counts: TermCounts, whole: boolean): void {
    const window = this.windows.length;
    let total = 0;
    for (const [term, count] of counts) {
      total += count * count;
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = []));
      list.push({ window, count });
    }
    this.windows.push({ whole, scoreable: counts.size >= GUARD_MIN_WINDOW_TERMS, total });
  }
}

/**
 * A reply window grown sentence by sentence, with, for every prompt window, the integer sums
 * `pairSimilarity` needs (dot product and squared counts of the shared terms on both sides).
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
    const size = prompt.windows.length;
    this.dot = new Float64Array(size);
    this.sharedReply = new Float64Array(size);
    this.sharedPrompt = new Float64Array(size);
  }

  get distinct(): number {
    return this.counts.size;
  }

  add(sentence: TermCounts): void {
    for (const [term, added] of sentence) {
      const before = this.counts.get(term) ?? 0;
      const after = before + added;
      this.counts.set(term, after);
      const squareGrowth = after * after - before * before;
      this.total += squareGrowth;
      for (const { window, count } of this.prompt.postings.get(term) ?? []) {
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
    const scoreable = this.counts.size >= GUARD_MIN_WINDOW_TERMS;
    let best = 0;
    for (const i of this.touched) {
      const window = this.prompt.windows[i];
      if (!window || !((whole && window.whole) || (scoreable && window.scoreable))) continue;
      const score = pairSimilarity(
        this.dot[i] ?? 0,
        this.sharedReply[i] ?? 0,
        this.total,
        this.sharedPrompt[i] ?? 0,
        window.total,
      );
      if (score > best) best = score;
    }
    return best;
  }
}

function addCounts(into: Map<string, number>, counts: TermCounts): void {
  for (const [term, count] of counts) into.set(term, (into.get(term) ?? 0) + count);
}
