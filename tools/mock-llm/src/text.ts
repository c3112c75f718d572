/** Pure text helpers: deterministic replies, deltas, stop sequences, truncation, leaks. */
import { countText } from './tokens';

/** Sentences the deterministic replies are made of; replies take three consecutive ones. */
const SENTENCES = [
  'This is a deterministic answer from the mock language model.',
  'The same request always produces the same words.',
  'No real model was called to write this text.',
  'Streaming splits this reply into word-sized pieces.',
  'Token counts in the usage block come from the real tokenizer.',
  'Scripts and inline directives can replace this reply.',
  'Latency and faults can be injected for any request.',
  'The answer is long enough to arrive in several chunks.',
  'Nothing here depends on the time of day or on chance.',
  'Benchmarks can rely on these replies staying stable.',
  'A different conversation picks a different set of sentences.',
  'The mock keeps a log of recent requests for inspection.',
  'Each sentence is plain text without any markup.',
  'Stop sequences and token limits apply as usual.',
  'The reply ends here unless a limit cuts it earlier.',
  'Tests can assert on every word of this reply.',
] as const;

const HARMLESS_BEFORE = 'Sure, happy to help with that.';
const HARMLESS_AFTER = 'Let me know if there is anything else I can do.';

/** 32-bit FNV-1a over the UTF-16 code units of the parts (each part ends with a separator). */
export function hashParts(parts: readonly string[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      hash ^= part.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= 0x1f;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Whitespace collapsed, at most `max` characters (an ellipsis marks a cut). */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The default reply: `Mock reply to "<excerpt of the last user message>".` followed by three
 * sentences chosen by a hash of the whole conversation (`hashInput`), so the same request
 * always gets the same reply and different conversations usually get different ones. Choice
 * `choice` of a request asking for several starts three sentences further on per choice, so the
 * first sixteen choices of a request all differ.
 */
export function deterministicReply(
  quoted: string,
  hashInput: readonly string[],
  choice = 0,
): string {
  const start = (hashParts(hashInput) + 3 * choice) % SENTENCES.length;
  const sentences: string[] = [];
  for (let i = 0; i < 3; i++) sentences.push(SENTENCES[(start + i) % SENTENCES.length] ?? '');
  const head = quoted.trim() ? `Mock reply to "${excerpt(quoted)}".` : 'Mock reply.';
  return `${head} ${sentences.join(' ')}`;
}

/**
 * Word-sized stream deltas: each piece is a word with the whitespace before it, so the pieces
 * concatenate to exactly `text`.
 */
export function splitDeltas(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** Cuts `text` before the earliest occurrence of any stop sequence. */
export function applyStop(
  text: string,
  stops: readonly string[],
): { text: string; stopped: boolean } {
  let cut = -1;
  for (const stop of stops) {
    if (!stop) continue;
    const at = text.indexOf(stop);
    if (at !== -1 && (cut === -1 || at < cut)) cut = at;
  }
  return cut === -1 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}

/** Largest n in [lo, hi] with fits(n), assuming fits(lo) and fits roughly monotone. */
function largest(lo: number, hi: number, fits: (n: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The longest prefix of `text` that counts at most `maxTokens` tokens for `model`: whole
 * words first, then characters of the next word (like a model stopping mid-word).
 */
export function truncateToTokens(
  text: string,
  maxTokens: number,
  model: string,
): { text: string; truncated: boolean } {
  if (countText(text, model) <= maxTokens) return { text, truncated: false };
  const ends: number[] = [0];
  let offset = 0;
  for (const piece of splitDeltas(text)) ends.push((offset += piece.length));
  const fits = (end: number) => countText(text.slice(0, end), model) <= maxTokens;
  const words = largest(0, ends.length - 1, (n) => fits(ends[n] ?? 0));
  const from = ends[words] ?? 0;
  const to = ends[words + 1] ?? text.length;
  const end = largest(from, to, fits);
  return { text: text.slice(0, end), truncated: true };
}

/** Spans [start, end) of the sentences of `text`: up to . ! ? or a line break. */
export function sentenceSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const m of text.matchAll(/\S[^.!?\n]*(?:[.!?]+["')\]]*|(?=\n)|$)/g)) {
    const end = m.index + m[0].trimEnd().length;
    spans.push([m.index, end]);
  }
  return spans;
}

/**
 * The part of a system prompt `leak_prompt_partial` discloses, verbatim: `count` consecutive
 * sentences from the middle. A prompt with no more sentences than that leaks all but its last
 * sentence; a single-sentence prompt leaks the first half of its words.
 */
export function partialLeak(prompt: string, count: number): string {
  const spans = sentenceSpans(prompt);
  if (spans.length === 0) return '';
  if (spans.length === 1) {
    const words = prompt.trim().split(/\s+/);
    return words.slice(0, Math.max(1, Math.floor(words.length / 2))).join(' ');
  }
  const take = Math.max(1, Math.min(count, spans.length - 1));
  const first = Math.floor((spans.length - take) / 2);
  const start = spans[first]?.[0] ?? 0;
  const end = spans[first + take - 1]?.[1] ?? prompt.length;
  return prompt.slice(start, end);
}

/** The `leak_prompt_partial` reply: the leaked sentences between two harmless ones. */
export function partialLeakReply(prompt: string, count: number): string {
  const leaked = partialLeak(prompt, count);
  return leaked
    ? `${HARMLESS_BEFORE} ${leaked} ${HARMLESS_AFTER}`
    : `${HARMLESS_BEFORE} ${HARMLESS_AFTER}`;
}
