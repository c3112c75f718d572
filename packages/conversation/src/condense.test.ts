import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as encodeP50k } from 'gpt-tokenizer/encoding/p50k_base';
import {
  BRAINSTORM_KEEP_MESSAGES,
  COACH_KEEP_AFTER_SUMMARY,
  COACH_SUMMARY_RATIO,
  applySummary,
  coachTokenLimit,
  planCondense,
  summaryRequest,
  threadTokens,
} from './condense';
import { type ModelSpec, findModel } from './models';
import {
  type Thread,
  type ThreadMessage,
  toChatMessages,
  toCompletionPrompt,
} from './prompt-format';
import { countChatTokens } from './tokens';

const PROMPT = 'You are Coach Marlon, a warm and practical career coach.';

function model(id: string): ModelSpec {
  const spec = findModel(id);
  if (!spec) throw new Error(`unknown model ${id}`);
  return spec;
}

function messages(count: number): ThreadMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `Message ${i}: let us talk about goals.`,
  }));
}

/** Six short messages, then a user message of `words` × "hello" (each " hello" is one token). */
function padded(words: number): Thread {
  return {
    summary: null,
    messages: [...messages(6), { role: 'user', content: 'hello '.repeat(words).trimEnd() }],
  };
}

describe('brainstorm threads', () => {
  it('keep up to 20 messages', () => {
    const thread: Thread = { summary: null, messages: messages(BRAINSTORM_KEEP_MESSAGES) };
    expect(BRAINSTORM_KEEP_MESSAGES).toBe(20);
    expect(
      planCondense({
        sessionType: 'brainstorm',
        model: model('gpt-4o'),
        initialPrompt: PROMPT,
        thread,
      }),
    ).toEqual({ kind: 'keep' });
  });

  it('drop the oldest messages beyond 20', () => {
    const all = messages(21);
    const plan = planCondense({
      sessionType: 'brainstorm',
      model: model('gpt-4o'),
      initialPrompt: PROMPT,
      thread: { summary: null, messages: all },
    });
    expect(plan).toEqual({
      kind: 'truncate',
      thread: { summary: null, messages: all.slice(1) },
      dropped: 1,
    });
    const many = planCondense({
      sessionType: 'brainstorm',
      model: model('gpt-4o'),
      initialPrompt: PROMPT,
      thread: { summary: 'stale', messages: messages(45) },
    });
    expect(many).toMatchObject({ kind: 'truncate', dropped: 25 });
    if (many.kind !== 'truncate') throw new Error('expected truncate');
    expect(many.thread.summary).toBeNull();
    expect(many.thread.messages).toEqual(messages(45).slice(25));
  });
});

describe('threadTokens', () => {
  it('counts the real request: chat messages or the completion prompt', () => {
    const thread: Thread = { summary: 'Wants a new job.', messages: messages(3) };
    const chat = model('gpt-3.5-turbo');
    expect(threadTokens(thread, PROMPT, chat)).toBe(
      countChatTokens(toChatMessages(PROMPT, thread), 'gpt-3.5-turbo'),
    );
    const instruct = model('gpt-3.5-turbo-instruct');
    expect(threadTokens(thread, PROMPT, instruct)).toBe(
      encodeCl100k(toCompletionPrompt(PROMPT, thread).prompt).length,
    );
    const davinci = model('text-davinci-003');
    expect(threadTokens(thread, PROMPT, davinci)).toBe(
      encodeP50k(toCompletionPrompt(PROMPT, thread).prompt).length,
    );
  });
});

describe('coach threads', () => {
  it.each([
    // [model, limit = floor(0.6 × window), "hello" words that bring the request to the limit]
    ['gpt-3.5-turbo-instruct', 2457, 2367],
    ['text-davinci-003', 2458, 2359],
    ['gpt-3.5-turbo', 9831, 9723],
  ] as const)(
    '%s: keep at the 60%% limit (%i tokens), summarise one token over it',
    (id, limit, words) => {
      const spec = model(id);
      expect(COACH_SUMMARY_RATIO).toBe(0.6);
      expect(coachTokenLimit(spec)).toBe(limit);
      expect(limit).toBe(Math.floor((spec.contextWindow * 6) / 10));

      const under = padded(words);
      expect(threadTokens(under, PROMPT, spec)).toBe(limit);
      expect(
        planCondense({ sessionType: 'coach', model: spec, initialPrompt: PROMPT, thread: under }),
      ).toEqual({ kind: 'keep' });

      const over = padded(words + 1);
      expect(threadTokens(over, PROMPT, spec)).toBe(limit + 1);
      const plan = planCondense({
        sessionType: 'coach',
        model: spec,
        initialPrompt: PROMPT,
        thread: over,
      });
      expect(plan).toEqual({
        kind: 'summarise',
        toSummarise: over,
        keep: over.messages.slice(-4),
        tokens: limit + 1,
        limit,
      });
    },
  );

  it('summarise the whole thread and keep exactly the last four messages', () => {
    const spec = model('gpt-3.5-turbo-instruct');
    const thread: Thread = {
      summary: 'Earlier: wants to leave banking.',
      messages: [...messages(9), { role: 'user', content: 'hello '.repeat(3000) }],
    };
    const plan = planCondense({ sessionType: 'coach', model: spec, initialPrompt: PROMPT, thread });
    if (plan.kind !== 'summarise') throw new Error(`expected summarise, got ${plan.kind}`);
    expect(COACH_KEEP_AFTER_SUMMARY).toBe(4);
    expect(plan.keep).toEqual(thread.messages.slice(6));
    expect(plan.keep).toHaveLength(4);
    expect(plan.toSummarise).toEqual(thread);

    const request = summaryRequest(
      'Summarise this coaching session in 5 bullet points.',
      plan.toSummarise,
    );
    expect(request).toEqual([
      { role: 'system', content: 'Summarise this coaching session in 5 bullet points.' },
      {
        role: 'system',
        content: 'Summary of the conversation so far: Earlier: wants to leave banking.',
      },
      ...thread.messages,
    ]);
    expect(summaryRequest('Summarise.', { summary: null, messages: messages(2) })).toEqual([
      { role: 'system', content: 'Summarise.' },
      ...messages(2),
    ]);

    const next = applySummary('Wants to leave banking; stuck; bored.', plan.keep);
    expect(next).toEqual({ summary: 'Wants to leave banking; stuck; bored.', messages: plan.keep });
    expect(threadTokens(next, PROMPT, spec)).toBeLessThan(threadTokens(thread, PROMPT, spec));
    expect(toChatMessages(PROMPT, next)[1]).toEqual({
      role: 'system',
      content: 'Summary of the conversation so far: Wants to leave banking; stuck; bored.',
    });
  });

  it('keep while under the limit, whatever the message count', () => {
    const thread: Thread = { summary: null, messages: messages(60) };
    expect(
      planCondense({ sessionType: 'coach', model: model('gpt-4o'), initialPrompt: PROMPT, thread }),
    ).toEqual({ kind: 'keep' });
  });
});
