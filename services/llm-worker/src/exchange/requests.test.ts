import type { ModelSettings, TurnAssistant } from '@lab/contracts';
import { boundedModel, turnRequest } from './requests';

const model: ModelSettings = {
  model: 'gpt-4o-mini',
  endpoint: 'chat',
  contextWindow: 128_000,
  maxTokens: 200,
  temperature: 0.7,
  topP: 1,
  frequencyPenalty: 0,
  presencePenalty: 0,
};

const assistant = (endpoint: 'chat' | 'completion' = 'chat'): TurnAssistant => ({
  assistantId: null,
  sessionType: 'brainstorm',
  initialPrompt: 'You are a coach.',
  summaryPrompt: 'Summarise.',
  guardThreshold: 0.65,
  model: { ...model, endpoint, model: endpoint === 'chat' ? 'gpt-4o-mini' : 'text-davinci-003' },
});

const thread = {
  summary: null,
  messages: [{ role: 'user' as const, content: 'Hello' }],
};

describe('boundedModel', () => {
  it('lowers the output cap and never raises it', () => {
    expect(boundedModel(model, { maxTokens: 5 }).maxTokens).toBe(5);
    expect(boundedModel(model, { maxTokens: 5_000 }).maxTokens).toBe(200);
    expect(boundedModel(model).maxTokens).toBe(200);
  });

  it("replaces sampling with the caller's, and keeps the assistant's otherwise", () => {
    const bounded = boundedModel(model, { temperature: 0, topP: 0.5, presencePenalty: 1 });
    expect(bounded).toMatchObject({
      temperature: 0,
      topP: 0.5,
      presencePenalty: 1,
      frequencyPenalty: 0,
      model: 'gpt-4o-mini',
    });
  });
});

describe('turnRequest', () => {
  it("puts the caller's instructions right after the assistant's prompt", () => {
    const request = turnRequest(assistant(), thread, {
      instructions: ['Answer in French.', 'Be brief.'],
      stop: ['END'],
      seed: 7,
      responseFormat: { type: 'json_object' },
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'You are a coach.' },
      { role: 'system', content: 'Answer in French.' },
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello' },
    ]);
    expect(request).toMatchObject({
      stop: ['END'],
      seed: 7,
      responseFormat: { type: 'json_object' },
    });
  });

  it('is the assistant alone without options', () => {
    expect(turnRequest(assistant(), thread)).toEqual({
      messages: [
        { role: 'system', content: 'You are a coach.' },
        { role: 'user', content: 'Hello' },
      ],
    });
  });

  it("adds a legacy prompt's caller stops after its own, and its instructions after the prompt", () => {
    const request = turnRequest(assistant('completion'), thread, {
      instructions: ['Be brief.'],
      stop: ['END'],
    });
    expect(request.prompt?.startsWith('You are a coach.\n\nBe brief.')).toBe(true);
    expect(request.stop).toHaveLength(3);
    expect(request.stop?.at(-1)).toBe('END');
  });

  it('asks a chat model for n choices and log probabilities, and only a chat model', () => {
    const asked = { n: 3, logprobs: true, topLogprobs: 2 };
    expect(turnRequest(assistant(), thread, asked)).toMatchObject(asked);
    expect(turnRequest(assistant(), thread, { n: 1, logprobs: false })).not.toHaveProperty('n');
    const legacy = turnRequest(assistant('completion'), thread, asked);
    expect(legacy).not.toHaveProperty('n');
    expect(legacy).not.toHaveProperty('logprobs');
  });
});
