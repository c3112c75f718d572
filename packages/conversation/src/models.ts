/**
 * The model registry: every model an assistant may use, with what the platform must know of it:
 * which endpoint serves it (chat completions, or the legacy completion endpoint with one prompt
 * string), its context window and output limit, and its price for usage and spend caps.
 */
import { type EncodingName, encodingForModel } from './tokens';

export type EndpointKind = 'chat' | 'completion';

export interface ModelSpec {
  id: string;
  endpoint: EndpointKind;
  /** Prompt plus completion tokens the model accepts. */
  contextWindow: number;
  /** The largest `max_tokens` a request may ask for. */
  maxOutputTokens: number;
  /** US dollars per million tokens. */
  price: { input: number; output: number };
  encoding: EncodingName;
}

type ModelEntry = Omit<ModelSpec, 'encoding'>;

const entries: readonly ModelEntry[] = [
  {
    id: 'gpt-4o-mini',
    endpoint: 'chat',
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: { input: 0.15, output: 0.6 },
  },
  {
    id: 'gpt-4o',
    endpoint: 'chat',
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: { input: 2.5, output: 10 },
  },
  {
    id: 'gpt-4.1-mini',
    endpoint: 'chat',
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    price: { input: 0.4, output: 1.6 },
  },
  {
    id: 'gpt-4.1',
    endpoint: 'chat',
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    price: { input: 2, output: 8 },
  },
  {
    id: 'gpt-3.5-turbo',
    endpoint: 'chat',
    contextWindow: 16_385,
    maxOutputTokens: 4_096,
    price: { input: 0.5, output: 1.5 },
  },
  {
    id: 'gpt-3.5-turbo-instruct',
    endpoint: 'completion',
    contextWindow: 4_096,
    maxOutputTokens: 4_096,
    price: { input: 1.5, output: 2 },
  },
  // GPT Lab's original completion model (seed 001, lesson 6); kept for assistants that pin it.
  {
    id: 'text-davinci-003',
    endpoint: 'completion',
    contextWindow: 4_097,
    maxOutputTokens: 4_097,
    price: { input: 20, output: 20 },
  },
];

export const MODEL_REGISTRY: ReadonlyMap<string, ModelSpec> = new Map(
  entries.map((entry) => [entry.id, { ...entry, encoding: encodingForModel(entry.id) }]),
);

export function findModel(id: string): ModelSpec | undefined {
  return MODEL_REGISTRY.get(id);
}

export function modelIds(): string[] {
  return [...MODEL_REGISTRY.keys()];
}

/** Cost in US dollars of one call's usage. */
export function costOf(
  model: ModelSpec,
  usage: { promptTokens: number; completionTokens: number },
): number {
  return (
    (usage.promptTokens * model.price.input + usage.completionTokens * model.price.output) /
    1_000_000
  );
}
