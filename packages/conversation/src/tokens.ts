/**
 * Token counting with the real byte-pair encodings OpenAI's models use, chosen by model family.
 * Used to keep threads within a model's context window and by the mock LLM for `usage`.
 * An encoding's tables (tens of MB of heap each) load on its first use, not with the package:
 * the services that only read the model registry never hold them.
 */

export type EncodingName = 'o200k_base' | 'cl100k_base' | 'p50k_base';

export interface ChatMessageForCount {
  role: string;
  content: string;
  name?: string;
}

interface Encoder {
  countTokens: (text: string) => number;
  encode: (text: string) => number[];
  decode: (tokens: Iterable<number>) => string;
}

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use (see above) */
const loaders: Record<EncodingName, () => Encoder> = {
  o200k_base: () =>
    require('gpt-tokenizer/encoding/o200k_base') as typeof import('gpt-tokenizer/encoding/o200k_base'),
  cl100k_base: () =>
    require('gpt-tokenizer/encoding/cl100k_base') as typeof import('gpt-tokenizer/encoding/cl100k_base'),
  p50k_base: () =>
    require('gpt-tokenizer/encoding/p50k_base') as typeof import('gpt-tokenizer/encoding/p50k_base'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const loaded = new Map<EncodingName, Encoder>();
function encoderFor(encoding: EncodingName): Encoder {
  let encoder = loaded.get(encoding);
  if (!encoder) {
    encoder = loaders[encoding]();
    loaded.set(encoding, encoder);
  }
  return encoder;
}

const counterFor = (encoding: EncodingName) => encoderFor(encoding).countTokens;

/**
 * The encoding of a model family. Newer families (gpt-4o, gpt-4.1, gpt-5, o-series) use
 * o200k_base; gpt-4 and gpt-3.5 (chat and instruct) use cl100k_base; the davinci completion
 * models use p50k_base. An unknown model is counted as the newest family.
 */
export function encodingForModel(model: string): EncodingName {
  const name = model.toLowerCase().replace(/^.*\//, '');
  if (/^(text-davinci-00[23]|code-davinci|davinci|curie|babbage|ada)/.test(name))
    return 'p50k_base';
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d)/.test(name)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-(ada|3))/.test(name)) return 'cl100k_base';
  return 'o200k_base';
}

/** Loads encodings now (a server that counts every request's tokens, e.g. the mock LLM). */
export function preloadEncodings(
  encodings: readonly EncodingName[] = ['o200k_base', 'cl100k_base', 'p50k_base'],
): void {
  for (const encoding of encodings) counterFor(encoding);
}

export function countTokens(text: string, model: string): number {
  return counterFor(encodingForModel(model))(text);
}

/**
 * The tokens of `text` for `model`, each as its text and that text's UTF-8 bytes (what log
 * probabilities are given for). A token that ends inside a multi-byte character decodes to the
 * replacement character on its own; its bytes are then those of U+FFFD, not the raw part.
 */
export function tokenPieces(
  text: string,
  model: string,
): Array<{ token: string; bytes: number[] }> {
  const encoder = encoderFor(encodingForModel(model));
  return encoder.encode(text).map((id) => {
    const token = encoder.decode([id]);
    return { token, bytes: [...Buffer.from(token, 'utf8')] };
  });
}

/**
 * Prompt tokens of a chat request, as OpenAI bills them: each message carries 3 tokens of
 * framing (plus 1 for a name) and every reply is primed with 3 more.
 */
export function countChatTokens(messages: readonly ChatMessageForCount[], model: string): number {
  const count = counterFor(encodingForModel(model));
  let total = 3;
  for (const message of messages) {
    total += 3 + count(message.role) + count(message.content);
    if (message.name) total += 1 + count(message.name);
  }
  return total;
}
