/**
 * A deterministic `/v1/embeddings` in OpenAI's shape: the same request (`model`, `input` as a
 * string, strings, tokens or token arrays, `dimensions`, `encoding_format` float or base64) and
 * response (`object: "list"`, one `embedding` per input in order, `usage`), and its errors.
 * The vector of a text is a hashed bag of its lower-cased words (a crude stem: a trailing "s"
 * dropped), l2-normalised: texts sharing words are close, the same text always gives the same
 * vector, and word order does not matter. Enough to test a semantic stage end to end; it knows
 * nothing of meaning.
 */
import { createHash } from 'node:crypto';
import { countText } from './tokens';

export const EMBEDDING_MODELS: Readonly<
  Record<string, { dimensions: number; shortening: boolean }>
> = {
  'text-embedding-3-small': { dimensions: 1536, shortening: true },
  'text-embedding-3-large': { dimensions: 3072, shortening: true },
  'text-embedding-ada-002': { dimensions: 1536, shortening: false },
};
const MAX_INPUTS = 2048;

export interface EmbeddingsError {
  status: number;
  message: string;
  param: string | null;
  code: string | null;
}

export type EmbeddingsOutcome =
  { ok: true; body: Record<string, unknown> } | { ok: false; error: EmbeddingsError };

const fail = (status: number, message: string, param: string | null, code: string | null = null) =>
  ({ ok: false, error: { status, message, param, code } }) as const;

export function embeddings(body: Record<string, unknown>): EmbeddingsOutcome {
  const model = body.model;
  if (model === undefined)
    return fail(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (typeof model !== 'string')
    return fail(400, "Invalid type for 'model': expected a string.", 'model', 'invalid_type');
  const spec = EMBEDDING_MODELS[model];
  if (!spec) return fail(404, `The model '${model}' does not exist`, 'model', 'model_not_found');
  if (body.input === undefined)
    return fail(400, "Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const inputs = asInputs(body.input);
  if (!inputs) return fail(400, "'$.input' is invalid. Please check the API reference.", 'input');
  if (inputs.length > MAX_INPUTS)
    return fail(400, `'$.input' must have at most ${MAX_INPUTS} items.`, 'input');
  let dimensions = spec.dimensions;
  if (body.dimensions !== undefined) {
    if (!spec.shortening)
      return fail(400, 'This model does not support specifying dimensions.', 'dimensions');
    if (
      !Number.isInteger(body.dimensions) ||
      (body.dimensions as number) < 1 ||
      (body.dimensions as number) > spec.dimensions
    )
      return fail(
        400,
        `'dimensions' must be an integer from 1 to ${spec.dimensions}.`,
        'dimensions',
      );
    dimensions = body.dimensions as number;
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64')
    return fail(400, "'encoding_format' must be 'float' or 'base64'.", 'encoding_format');
  let tokens = 0;
  const data = inputs.map((input, index) => {
    tokens += typeof input === 'string' ? countText(input, 'gpt-4o') : input.length;
    const vector = embed(typeof input === 'string' ? input : input.join(' '), dimensions);
    return {
      object: 'embedding',
      index,
      embedding:
        format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector),
    };
  });
  return {
    ok: true,
    body: { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } },
  };
}

function asInputs(input: unknown): (string | number[])[] | undefined {
  const isTokens = (v: unknown): v is number[] =>
    Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t) && t >= 0);
  if (typeof input === 'string') return input === '' ? undefined : [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((v) => typeof v === 'string'))
    return input.some((v) => v === '') ? undefined : input;
  if (isTokens(input)) return [input];
  if (input.every(isTokens)) return input;
  return undefined;
}

/** The hashed bag-of-words vector of `text`, l2-normalised (all zeros for a text with no words). */
export function embed(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0].length > 3 ? match[0].replace(/s$/, '') : match[0];
    const hash = createHash('sha256').update(word).digest();
    for (let k = 0; k < 4; k++) {
      const at = hash.readUInt32LE(k * 4) % dimensions;
      vector[at] = (vector[at] ?? 0) + ((hash[16 + k] ?? 0) & 1 ? 1 : -1);
    }
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] ?? 0) * scale;
  }
  return vector;
}
