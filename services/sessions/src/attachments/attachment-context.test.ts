import { countTokens } from '@lab/conversation';
import { attachmentContext } from './attachment-context';

describe('attachments in the model context', () => {
  const model = 'gpt-4o-mini';

  it('includes whole files that fit the budget', () => {
    const text = attachmentContext(
      [
        { id: 'a', name: 'notes.txt', text: 'Buy coral.' },
        { id: 'b', name: 'plan.md', text: '# Plan' },
      ],
      model,
      1000,
    );
    expect(text).toContain('--- file: notes.txt ---\nBuy coral.\n--- end of notes.txt ---');
    expect(text).toContain('--- file: plan.md ---\n# Plan\n--- end of plan.md ---');
  });

  it('cuts a file to the budget and marks it, and names the files left out', () => {
    const long = 'The sea is deep and wide. '.repeat(400);
    const text = attachmentContext(
      [
        { id: 'a', name: 'long.txt', text: long },
        { id: 'b', name: 'later.txt', text: long },
      ],
      model,
      300,
    );
    expect(text).not.toBeNull();
    expect(countTokens(text ?? '', model)).toBeLessThanOrEqual(330);
    expect(text).toContain('long.txt truncated here');
    expect(text).toContain('Left out, no room in the context: later.txt');
  });

  it('is nothing without files', () => {
    expect(attachmentContext([], model, 100)).toBeNull();
  });
});
