/** What the gateway's suites share: a test assistant's body, and bounded polling. */

/** The body of `POST /v1/assistants`: a coach on the mock's default model. */
export function assistantDraft(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    tagLine: `${name}, for tests`,
    description: 'A test assistant.',
    sessionType: 'coach',
    initialPrompt: 'You are a patient coach. Ask one question at a time.',
    summaryPrompt: 'Summarise the session in two sentences.',
    modelConfig: {
      model: 'gpt-4o-mini',
      maxTokens: 200,
      temperature: 0.7,
      topP: 1,
      frequencyPenalty: 0,
      presencePenalty: 0,
    },
    ...overrides,
  };
}

/** The lab's draft (`POST /v1/lab/turns`): prompts and model config, no details. */
export function labDraft() {
  const { sessionType, initialPrompt, summaryPrompt, modelConfig } = assistantDraft('Lab');
  return { sessionType, initialPrompt, summaryPrompt, modelConfig };
}

/**
 * Reads until the check holds, within `ms` (then fails with the last value): what the event
 * consumers write trails the turns by their lag. Never a fixed sleep.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`not reached in ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** `eventually` with another default bound, for a suite whose waits are longer. */
export const eventuallyWithin =
  (defaultMs: number) =>
  <T>(read: () => Promise<T>, check: (value: T) => boolean, ms = defaultMs) =>
    eventually(read, check, ms);
