/**
 * Usage token counts with the real encodings of `@lab/conversation`, memoised for long texts:
 * benchmarks send the same multi-kilobyte system prompt in every request, and counting it once
 * keeps the per-request overhead low.
 */
import {
  type ChatMessageForCount,
  countChatTokens,
  countTokens,
  preloadEncodings,
  encodingForModel,
} from '@lab/conversation';

/** Texts shorter than this are counted every time (cheaper than the cache lookup). */
const MEMO_MIN_LENGTH = 256;
const MEMO_MAX_ENTRIES = 2000;
const memo = new Map<string, number>();

function memoised(key: string, compute: () => number): number {
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (memo.size >= MEMO_MAX_ENTRIES) {
    const oldest = memo.keys().next();
    if (!oldest.done) memo.delete(oldest.value);
  }
  memo.set(key, value);
  return value;
}

/** `countTokens(text, model)`. */
export function countText(text: string, model: string): number {
  if (text.length < MEMO_MIN_LENGTH) return countTokens(text, model);
  return memoised(`t\0${encodingForModel(model)}\0${text}`, () => countTokens(text, model));
}

/**
 * `countChatTokens(messages, model)`, summed message by message: the count is 3 for the reply
 * priming plus, per message, `countChatTokens([message]) - 3`, which lets long messages be
 * memoised individually.
 */
export function countChat(messages: readonly ChatMessageForCount[], model: string): number {
  let total = 3;
  for (const message of messages) {
    const single = () => countChatTokens([message], model) - 3;
    total +=
      message.content.length < MEMO_MIN_LENGTH
        ? single()
        : memoised(
            `c\0${encodingForModel(model)}\0${message.role}\0${message.name ?? ''}\0${message.content}`,
            single,
          );
  }
  return total;
}

/** Loads the tokenizers' encodings (they load on first use otherwise). */
export function preloadTokenizers(): void {
  preloadEncodings();
}
