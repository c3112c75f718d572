import { ApiException } from '@lab/platform/http';
import { storedTurnInput } from './responses-input';
import type { ResponsesDto } from './responses.dto';

const request = (fields: Partial<ResponsesDto>): ResponsesDto => ({
  model: 'assistant/abcd',
  input: 'Hi',
  ...fields,
});

/** The fields a refusal names. */
function refused(body: ResponsesDto): string[] {
  try {
    storedTurnInput(body);
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const answer = error.getResponse() as { error: { details?: Array<{ field: string }> } };
    return (answer.error.details ?? []).map((detail) => detail.field);
  }
  throw new Error('not refused');
}

describe('storedTurnInput (decision 0022)', () => {
  it('takes a string as the user message', () => {
    expect(storedTurnInput(request({ input: 'Plan Monday' }))).toEqual({
      content: 'Plan Monday',
      instructions: [],
      items: [
        {
          type: 'message',
          role: 'user',
          status: 'completed',
          content: [{ type: 'input_text', text: 'Plan Monday' }],
        },
      ],
    });
  });

  it('sends instructions, then system and developer items, as the turn’s instructions', () => {
    const turn = storedTurnInput(
      request({
        instructions: 'Be brief.',
        input: [
          { role: 'system', content: 'System says.' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
          { role: 'developer', content: 'Developer says.' },
        ],
      }),
    );
    expect(turn.content).toBe('Hello');
    expect(turn.instructions).toEqual(['Be brief.', 'System says.', 'Developer says.']);
    expect(turn.items.map((item) => item.role)).toEqual(['system', 'user', 'developer']);
  });

  it('refuses tools, function items and a second message, naming each', () => {
    expect(
      refused(
        request({
          tools: [{ type: 'function', name: 'get_weather' }],
          tool_choice: 'required',
          input: [
            { role: 'user', content: 'Hi' },
            { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
            { role: 'assistant', content: 'Hello' },
            { role: 'user', content: 'Again' },
          ],
        }),
      ),
    ).toEqual(['tools', 'tool_choice', 'input.1.type', 'input.2.role', 'input.3.role']);
  });

  it('refuses an input without a user message, and an empty one', () => {
    expect(refused(request({ input: [{ role: 'developer', content: 'Only me' }] }))).toEqual([
      'input',
    ]);
    expect(refused(request({ input: [{ role: 'user', content: '  ' }] }))).toEqual([
      'input.0.content',
    ]);
  });

  it('accepts tool_choice auto and none without tools', () => {
    expect(storedTurnInput(request({ tool_choice: 'none' })).content).toBe('Hi');
  });
});
