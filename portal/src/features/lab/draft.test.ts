import { describe, expect, it } from 'vitest';
import {
  createRequestOf,
  DRAFT_KEY,
  furthestStep,
  loadDraft,
  newDraft,
  problemsOfStep1,
  problemsOfStep3,
  saveDraft,
} from './draft';

describe('the lab draft', () => {
  it('step 1 needs a prompt and a model configuration within the model’s limits', () => {
    const draft = newDraft();
    expect(problemsOfStep1(draft).map((p) => p.field)).toEqual(['initialPrompt']);
    const ready = { ...draft, initialPrompt: 'You are a coach.' };
    expect(problemsOfStep1(ready)).toEqual([]);
    const tooMany = { ...ready, modelConfig: { ...ready.modelConfig, maxTokens: 5000 } };
    expect(problemsOfStep1(tooMany, 4096)[0]).toMatchObject({
      field: 'maxTokens',
      message: 'Max tokens is a whole number from 1 to 4096 for this model.',
    });
    const hot = {
      ...ready,
      modelConfig: { ...ready.modelConfig, temperature: 2.5, topP: Number.NaN },
    };
    expect(problemsOfStep1(hot).map((p) => p.field)).toEqual(['temperature', 'topP']);
  });

  it('the furthest step opens as the draft fills in', () => {
    const draft = newDraft();
    expect(furthestStep(draft)).toBe(1);
    expect(furthestStep({ ...draft, initialPrompt: 'x' })).toBe(3);
    expect(furthestStep({ ...draft, created: { id: 'a', code: 'ABCD2345', name: 'A' } })).toBe(4);
  });

  it('step 3 needs a name and a tag line within their lengths', () => {
    expect(problemsOfStep3(newDraft()).map((p) => p.field)).toEqual(['name', 'tagLine']);
    expect(problemsOfStep3({ ...newDraft(), name: 'A', tagLine: 'x'.repeat(161) })[0]?.field).toBe(
      'tagLine',
    );
  });

  it('survives leaving the lab: saved to and loaded from session storage', () => {
    const draft = { ...newDraft(), step: 2 as const, initialPrompt: 'You are Fennel.' };
    saveDraft(draft);
    expect(sessionStorage.getItem(DRAFT_KEY)).toContain('You are Fennel.');
    expect(loadDraft()).toEqual(draft);
    sessionStorage.setItem(DRAFT_KEY, '{not json');
    expect(loadDraft()).toEqual(newDraft());
  });

  it('the create request trims the details and carries the prompts and model config', () => {
    const request = createRequestOf({
      ...newDraft(),
      initialPrompt: 'P',
      name: '  Fennel ',
      tagLine: ' Negotiate ',
    });
    expect(request).toMatchObject({ name: 'Fennel', tagLine: 'Negotiate', initialPrompt: 'P' });
    expect(request.modelConfig.model).toBe('gpt-4o-mini');
  });
});
