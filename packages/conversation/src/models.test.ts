import { costOf, findModel, MODEL_REGISTRY, modelIds } from './models';

describe('model registry', () => {
  it('knows each model’s endpoint, context window, output limit and encoding', () => {
    expect(findModel('gpt-4o-mini')).toMatchObject({
      endpoint: 'chat',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      encoding: 'o200k_base',
    });
    expect(findModel('gpt-3.5-turbo-instruct')).toMatchObject({
      endpoint: 'completion',
      encoding: 'cl100k_base',
    });
    expect(findModel('text-davinci-003')).toMatchObject({
      endpoint: 'completion',
      encoding: 'p50k_base',
    });
    expect(findModel('gpt-2-imaginary')).toBeUndefined();
  });

  it('never lets a model promise more output than its context window', () => {
    for (const model of MODEL_REGISTRY.values()) {
      expect(model.maxOutputTokens).toBeLessThanOrEqual(model.contextWindow);
      expect(model.price.input).toBeGreaterThan(0);
    }
    expect(modelIds()).toContain('gpt-4o');
  });

  it('prices usage per million tokens, input and output apart', () => {
    const model = findModel('gpt-4o-mini');
    if (!model) throw new Error('gpt-4o-mini missing');
    expect(costOf(model, { promptTokens: 1_000_000, completionTokens: 0 })).toBeCloseTo(0.15, 10);
    expect(costOf(model, { promptTokens: 2_000, completionTokens: 1_000 })).toBeCloseTo(
      (2_000 * 0.15 + 1_000 * 0.6) / 1_000_000,
      12,
    );
  });
});
