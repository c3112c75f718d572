/**
 * The guard's optional semantic stage (decision 0013), for paraphrases and translations: reply
 * sentences whose embedding is close (cosine ≥ the assistant's semantic threshold) to one of the
 * prompt's sentences are a leak. It runs only when the worker has an embeddings model
 * (GUARD_EMBEDDING_MODEL) and the assistant turned it on. The prompt's sentence embeddings are
 * computed once per prompt text and cached in Redis, sealed with AES-256-GCM under a key derived
 * from TURN_VAULT_KEY (associated data: the cache key), for 7 days; the cache key is an HMAC of
 * the model and the prompt, so Redis holds neither the prompt nor anything that identifies it.
 */
import { createHmac } from 'node:crypto';
import { splitSentences } from '@lab/conversation';
import { decryptText, encryptText } from '@lab/platform';
import type { Redis } from 'ioredis';
import type OpenAI from 'openai';

const CACHE_TTL_SECONDS = 7 * 24 * 3600;
/** Sentences with fewer words are not compared (a greeting is close to anything). */
const MIN_WORDS = 5;

export interface SemanticVerdict {
  leaked: boolean;
  /** The highest cosine of a reply sentence with a prompt sentence. */
  score: number;
}

export class SemanticStage {
  constructor(
    private readonly redis: Redis,
    private readonly key: Buffer,
    readonly model: string,
  ) {}

  async check(
    client: OpenAI,
    initialPrompt: string,
    reply: string,
    threshold: number,
  ): Promise<SemanticVerdict> {
    const sentences = comparableSentences(reply);
    if (sentences.length === 0) return { leaked: false, score: 0 };
    const [prompt, replyVectors] = await Promise.all([
      this.promptVectors(client, initialPrompt),
      this.embed(client, sentences),
    ]);
    return semanticVerdict(prompt, replyVectors, threshold);
  }

  private async promptVectors(client: OpenAI, initialPrompt: string): Promise<number[][]> {
    const name = `guard:embeddings:${createHmac('sha256', this.key).update(`${this.model}\n${initialPrompt}`).digest('hex')}`;
    const cached = await this.redis.get(name);
    if (cached) return JSON.parse(decryptText(cached, this.key, name)) as number[][];
    const sentences = comparableSentences(initialPrompt);
    const vectors = sentences.length > 0 ? await this.embed(client, sentences) : [];
    await this.redis.set(
      name,
      encryptText(JSON.stringify(vectors), this.key, name),
      'EX',
      CACHE_TTL_SECONDS,
    );
    return vectors;
  }

  private async embed(client: OpenAI, input: string[]): Promise<number[][]> {
    const answer = await client.embeddings.create({ model: this.model, input });
    return [...answer.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
  }
}

/**
 * The stage's judgement from embeddings: the highest cosine of a reply sentence with a prompt
 * sentence, a leak from `threshold` (bench/guard runs it on the mock's embeddings).
 */
export function semanticVerdict(
  prompt: readonly (readonly number[])[],
  reply: readonly (readonly number[])[],
  threshold: number,
): SemanticVerdict {
  let score = 0;
  for (const r of reply) for (const p of prompt) score = Math.max(score, cosine(r, p));
  return { leaked: score >= threshold, score };
}

/** The sentences the stage embeds: those of `MIN_WORDS` words or more, trimmed. */
export function comparableSentences(text: string): string[] {
  return splitSentences(text)
    .map((s) => s.trim())
    .filter((s) => s.split(/\s+/).length >= MIN_WORDS);
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
