/** The lab's first step as a person fills it in: problems next to their fields, the model's limit. */
import type { UseQueryResult } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { type LabDraft, newDraft } from './draft';
import { StepPrompt } from './steps';

const registry = {
  data: {
    items: [
      { id: 'gpt-4o-mini', endpoint: 'chat', contextWindow: 128_000, maxOutputTokens: 16_384 },
      { id: 'gpt-3.5-turbo', endpoint: 'chat', contextWindow: 16_385, maxOutputTokens: 4_096 },
    ],
  },
  isPending: false,
  isError: false,
  error: null,
} as unknown as UseQueryResult<{
  items: Array<{ id: string; endpoint: string; contextWindow: number; maxOutputTokens: number }>;
}>;

function Harness({ onNext, seen }: { onNext: () => void; seen: (draft: LabDraft) => void }) {
  const [draft, setDraft] = useState(newDraft);
  seen(draft);
  return (
    <StepPrompt
      draft={draft}
      update={(change) => setDraft((current) => ({ ...current, ...change }))}
      registry={registry}
      onNext={onNext}
    />
  );
}

describe('lab step 1', () => {
  it('says what is missing beside the field, and goes on once it is filled in', async () => {
    const onNext = vi.fn();
    let latest = newDraft();
    render(<Harness onNext={onNext} seen={(draft) => (latest = draft)} />);
    await userEvent.click(screen.getByRole('button', { name: 'Next: test chat' }));
    expect(onNext).not.toHaveBeenCalled();
    const prompt = screen.getByLabelText('Initial prompt');
    expect(prompt.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Write the initial prompt.').id).toBe(
      prompt.getAttribute('aria-describedby')?.split(' ').pop(),
    );
    await userEvent.type(prompt, 'You are a coach.');
    await userEvent.click(screen.getByRole('radio', { name: /^Brainstorm/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Next: test chat' }));
    expect(onNext).toHaveBeenCalledOnce();
    expect(latest).toMatchObject({ initialPrompt: 'You are a coach.', sessionType: 'brainstorm' });
  });

  it('checks max tokens against the chosen model of the registry', async () => {
    const onNext = vi.fn();
    render(<Harness onNext={onNext} seen={() => undefined} />);
    await userEvent.type(screen.getByLabelText('Initial prompt'), 'You are a coach.');
    await userEvent.selectOptions(screen.getByLabelText('Model'), 'gpt-3.5-turbo');
    expect(screen.getByText('Up to 4096 for this model.')).toBeTruthy();
    const maxTokens = screen.getByLabelText('Max tokens');
    await userEvent.clear(maxTokens);
    await userEvent.type(maxTokens, '5000');
    await userEvent.click(screen.getByRole('button', { name: 'Next: test chat' }));
    expect(onNext).not.toHaveBeenCalled();
    expect(
      screen.getByText('Max tokens is a whole number from 1 to 4096 for this model.'),
    ).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('Please fix 1 problem above.');
  });
});
